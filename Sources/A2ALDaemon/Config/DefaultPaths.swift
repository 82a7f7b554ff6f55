import Glibc

/// Where the daemon keeps its data and socket when not told otherwise (docs/jsonrpc.md,
/// "Configuration and data directory"): system paths as root, the XDG base directories
/// otherwise.
public enum DefaultPaths {
    public static let rootDataDir = "/var/lib/a2al"
    public static let rootSocket = "/run/a2al.sock"

    /// `$XDG_DATA_HOME/a2al`, else `$HOME/.local/share/a2al`; nil when neither is usable.
    public static func dataDir(environment: [String: String], isRoot: Bool) -> String? {
        if isRoot { return rootDataDir }
        if let xdg = absolute(environment["XDG_DATA_HOME"]) { return join(xdg, "a2al") }
        if let home = environment["HOME"], !home.isEmpty { return join(home, ".local/share/a2al") }
        return nil
    }

    /// `$XDG_RUNTIME_DIR/a2al.sock`, else `/tmp/a2al-<uid>/a2al.sock`.
    public static func socketPath(environment: [String: String], isRoot: Bool, uid: UInt32 = getuid()) -> String {
        if isRoot { return rootSocket }
        if let runtime = absolute(environment["XDG_RUNTIME_DIR"]) { return join(runtime, "a2al.sock") }
        return "/tmp/a2al-\(uid)/a2al.sock"
    }

    /// The XDG spec: a relative path in these variables is invalid and must be ignored.
    private static func absolute(_ value: String?) -> String? {
        guard let value, value.hasPrefix("/") else { return nil }
        return value
    }

    private static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
