import A2ALRPC
import Glibc

/// Where the daemon keeps its data and socket when not told otherwise (docs/jsonrpc.md,
/// "Configuration and data directory"): system paths as root, the XDG base directories
/// otherwise.
package enum DefaultPaths {
    package static let rootDataDir = "/var/lib/a2al"
    package static let rootSocket = DaemonSocketDefault.rootPath

    /// `$XDG_DATA_HOME/a2al`, else `$HOME/.local/share/a2al`; nil when neither is usable.
    package static func dataDir(environment: [String: String], isRoot: Bool) -> String? {
        if isRoot { return rootDataDir }
        if let xdg = absolute(environment["XDG_DATA_HOME"]) { return join(xdg, "a2al") }
        if let home = environment["HOME"], !home.isEmpty { return join(home, ".local/share/a2al") }
        return nil
    }

    /// `$XDG_RUNTIME_DIR/a2al.sock`, else `/tmp/a2al-<uid>/a2al.sock` (shared with the clients).
    package static func socketPath(environment: [String: String], isRoot: Bool, uid: UInt32 = getuid()) -> String {
        DaemonSocketDefault.path(environment: environment, isRoot: isRoot, uid: uid)
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
