import A2ALRPC

/// Where `a2ald` listens when nobody configured it otherwise, so clients find it without being
/// told: the one rule of docs/jsonrpc.md ("Finding the socket"), kept in `DaemonSocketDefault`
/// and repeated by the C, Python and shell clients.
public enum A2ALSocketPath {
    public static func resolveDefault(environment: [String: String] = currentEnvironment()) -> String {
        DaemonSocketDefault.resolve(environment: environment)
    }

    /// The process environment.
    public static func currentEnvironment() -> [String: String] { ProcessEnvironment.current() }
}
