/// What a reload changes: the settings that differ between the running configuration and the
/// one just read, split into those applied at once and those that need a restart
/// (docs/systemd.md, "Reloading").
package struct ReloadPlan: Sendable, Equatable {
    /// Settings the running daemon takes over without a restart.
    /// The socket limits (connections, line bytes, output budget) and the per-connection
    /// in-flight cap are fixed when the socket server and RPC service are built, so they are
    /// not among them.
    package static let liveKeys: Set<ConfigKey> = [
        .logLevel, .logFormat, .passive, .maxStoreKeys, .storeMaxBytes, .storeMaxBytesPerSource, .bootstrap,
    ]

    package let applied: [ConfigKey]
    package let needsRestart: [ConfigKey]
    /// The configuration now in force: the new values of `applied`, the old ones of the rest.
    package let running: DaemonConfig

    package init(old: DaemonConfig, new: DaemonConfig) {
        let before = Dictionary(uniqueKeysWithValues: old.describe())
        let after = Dictionary(uniqueKeysWithValues: new.describe())
        let changed = ConfigKey.allCases.filter { before[$0.fileKey] != after[$0.fileKey] }
        applied = changed.filter { Self.liveKeys.contains($0) }
        needsRestart = changed.filter { !Self.liveKeys.contains($0) }
        var running = old
        running.logLevel = new.logLevel
        running.logFormat = new.logFormat
        running.passive = new.passive
        running.maxStoreKeys = new.maxStoreKeys
        running.storeMaxBytes = new.storeMaxBytes
        running.storeMaxBytesPerSource = new.storeMaxBytesPerSource
        running.bootstrap = new.bootstrap
        running.configFile = new.configFile
        self.running = running
    }

    /// "log_level, bootstrap", or "none".
    static func names(_ keys: [ConfigKey]) -> String {
        keys.isEmpty ? "none" : keys.map(\.fileKey).joined(separator: ", ")
    }
}
