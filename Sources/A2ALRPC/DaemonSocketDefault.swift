#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where `a2ald` listens when not told otherwise, in one place for the daemon (its config
/// defaults) and its clients (which must find the same socket). The rule, as the table in
/// docs/jsonrpc.md ("Finding the socket") states it and every client repeats it:
/// `$A2AL_SOCKET` when set and not empty, else `/run/a2al.sock` as root (effective uid 0), else
/// `$XDG_RUNTIME_DIR/a2al.sock` when that is an absolute path, else `/tmp/a2al-<euid>/a2al.sock`.
public enum DaemonSocketDefault {
    public static let rootPath = "/run/a2al.sock"
    /// The variable that names the socket outright (also the daemon's `socket` setting).
    public static let socketVariable = "A2AL_SOCKET"
    /// Tests only: an effective uid to use instead of geteuid(), so the root and non-root rows
    /// of the table can be checked in one process (docs/testing.md). Ignored unless it is a
    /// plain decimal number.
    public static let testEUIDVariable = "A2AL_TEST_EUID"

    /// The daemon's own default, before `$A2AL_SOCKET` (which the daemon reads as a setting).
    public static func path(environment: [String: String], isRoot: Bool, uid: UInt32) -> String {
        if isRoot { return rootPath }
        // The XDG spec: a relative path in the variable is invalid and must be ignored.
        if let runtime = environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/") {
            return runtime.hasSuffix("/") ? runtime + "a2al.sock" : runtime + "/a2al.sock"
        }
        return "/tmp/a2al-\(uid)/a2al.sock"
    }

    /// The whole rule, `$A2AL_SOCKET` included: what a client connects to when not told.
    public static func resolve(environment: [String: String]) -> String {
        if let explicit = environment[socketVariable], !explicit.isEmpty { return explicit }
        let uid = effectiveUID(environment: environment)
        return path(environment: environment, isRoot: uid == 0, uid: uid)
    }

    /// geteuid(), unless a test set `A2AL_TEST_EUID`.
    public static func effectiveUID(environment: [String: String]) -> UInt32 {
        if let text = environment[testEUIDVariable], !text.isEmpty,
           text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let uid = UInt32(text) {
            return uid
        }
        return geteuid()
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
