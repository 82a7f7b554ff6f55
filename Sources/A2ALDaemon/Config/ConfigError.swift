/// Where a configuration value came from, so an error can point at it.
package enum ConfigSource: Sendable, Equatable {
    /// The config file at this path.
    case file(String)
    /// An `A2AL_*` environment variable.
    case environment
    /// A command-line flag.
    case flags
}

/// Why the configuration cannot be used. Every message names the file, key, variable or flag
/// at fault and says what was expected.
package enum ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A config file named by `--config` or `A2AL_CONFIG` (`namedBy`) does not exist.
    case configFileNotFound(path: String, namedBy: String)
    /// The config file exists but cannot be read.
    case unreadableFile(path: String, reason: String)
    /// The config file is not JSON; `line` and `column` (1-based) are where the parser gave up.
    case invalidJSON(path: String, line: Int, column: Int, reason: String)
    /// The config file is JSON but not an object.
    case malformedFile(path: String, reason: String)
    /// The config file has a key no setting goes by (usually a typo).
    case unknownKey(file: String, key: String)
    /// A value is the wrong type or out of range. `setting` is the file key ("max_connections",
    /// "bootstrap[2]"), the variable ("A2AL_LISTEN") or the flag ("--listen").
    case badValue(source: ConfigSource, setting: String, reason: String)
    /// Not root, no `XDG_DATA_HOME` or `HOME`, and no data directory given.
    case noDataDirectory

    package var description: String {
        switch self {
        case .configFileNotFound(let path, let namedBy):
            return "config file \(path) (from \(namedBy)) does not exist"
        case .unreadableFile(let path, let reason):
            return "\(path): cannot read the config file: \(reason)"
        case .invalidJSON(let path, let line, let column, let reason):
            return "config \(path): line \(line), column \(column): \(reason)"
        case .malformedFile(let path, let reason):
            return "\(path): \(reason)"
        case .unknownKey(let file, let key):
            let known = ConfigKey.allCases.map(\.fileKey).joined(separator: ", ")
            return "\(file): unknown key \"\(key)\" (known keys: \(known))"
        case .badValue(.file(let path), let setting, let reason):
            return "\(path): key \"\(setting)\": \(reason)"
        case .badValue(.environment, let setting, let reason):
            return "environment variable \(setting): \(reason)"
        case .badValue(.flags, let setting, let reason):
            return "\(setting): \(reason)"
        case .noDataDirectory:
            return "cannot choose a data directory: neither XDG_DATA_HOME nor HOME is set; "
                + "set \(ConfigKey.dataDir.environmentVariable) or pass \(ConfigKey.dataDir.flag)"
        }
    }
}
