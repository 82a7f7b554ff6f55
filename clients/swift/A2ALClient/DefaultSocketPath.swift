#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where `a2ald` listens when nobody configured it otherwise, so clients find it without being
/// told: `$A2AL_SOCKET` when set, else `/run/a2al.sock` as root, else
/// `$XDG_RUNTIME_DIR/a2al.sock`, else `/tmp/a2al-<uid>/a2al.sock` — the daemon's own defaults
/// (docs/jsonrpc.md, "Configuration and data directory"), in the same order the C and Python
/// clients use.
public enum A2ALSocketPath {
    public static func resolveDefault(environment: [String: String] = currentEnvironment(),
                                      uid: UInt32 = geteuid()) -> String {
        if let explicit = environment["A2AL_SOCKET"], !explicit.isEmpty { return explicit }
        if uid == 0 { return "/run/a2al.sock" }
        if let runtime = environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/") {
            return runtime.hasSuffix("/") ? runtime + "a2al.sock" : runtime + "/a2al.sock"
        }
        return "/tmp/a2al-\(uid)/a2al.sock"
    }

    /// The process environment, read from `environ` (no Foundation needed).
    public static func currentEnvironment() -> [String: String] {
        var out: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") { out[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
            p += 1
        }
        return out
    }
}
