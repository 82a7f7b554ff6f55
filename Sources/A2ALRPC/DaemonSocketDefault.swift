#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where `a2ald` listens when not told otherwise, in one place for the daemon (its config
/// defaults) and its clients (which must find the same socket): `/run/a2al.sock` as root, else
/// `$XDG_RUNTIME_DIR/a2al.sock`, else `/tmp/a2al-<uid>/a2al.sock` (docs/jsonrpc.md,
/// "Configuration and data directory").
public enum DaemonSocketDefault {
    public static let rootPath = "/run/a2al.sock"

    public static func path(environment: [String: String], isRoot: Bool, uid: UInt32) -> String {
        if isRoot { return rootPath }
        // The XDG spec: a relative path in the variable is invalid and must be ignored.
        if let runtime = environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/") {
            return runtime.hasSuffix("/") ? runtime + "a2al.sock" : runtime + "/a2al.sock"
        }
        return "/tmp/a2al-\(uid)/a2al.sock"
    }
}

/// The process environment, read from `environ` (no Foundation needed).
public enum ProcessEnvironment {
    public static func current() -> [String: String] {
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
