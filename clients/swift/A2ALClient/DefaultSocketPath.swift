import A2ALRPC
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where `a2ald` listens when nobody configured it otherwise, so clients find it without being
/// told: `$A2AL_SOCKET` when set (the variable the daemon itself reads), else the daemon's own
/// default (`DaemonSocketDefault`) — the order the C and Python clients use too.
public enum A2ALSocketPath {
    public static func resolveDefault(environment: [String: String] = currentEnvironment(),
                                      uid: UInt32 = geteuid()) -> String {
        if let explicit = environment["A2AL_SOCKET"], !explicit.isEmpty { return explicit }
        return DaemonSocketDefault.path(environment: environment, isRoot: uid == 0, uid: uid)
    }

    /// The process environment.
    public static func currentEnvironment() -> [String: String] { ProcessEnvironment.current() }
}
