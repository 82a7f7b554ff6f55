/// Every configuration setting, with the names it goes by in each layer: the config file's
/// snake_case key, the `A2AL_*` environment variable and the command-line flag. One table so
/// the three layers (and `--print-config`) cannot drift apart.
package enum ConfigKey: String, CaseIterable, Sendable {
    case dataDir = "data_dir"
    case socket
    case socketMode = "socket_mode"
    case socketGroup = "socket_group"
    case listen
    case bootstrap
    case passive
    case debugHTTP = "debug_http"
    case metrics
    case maxConnections = "max_connections"
    case maxLineBytes = "max_line_bytes"
    case maxInFlight = "max_in_flight"
    case maxOutputBytes = "max_output_bytes"
    case outputStallTimeoutMs = "output_stall_timeout_ms"
    case maxStoreKeys = "max_store_keys"
    case storeMaxBytes = "store_max_bytes"
    case storeMaxBytesPerSource = "store_max_bytes_per_source"
    case logLevel = "log_level"
    case logFormat = "log_format"
    case peerCacheSize = "peer_cache_size"

    /// The key in the JSON config file.
    package var fileKey: String { rawValue }

    /// "A2AL_DATA_DIR", "A2AL_MAX_CONNECTIONS", ...
    package var environmentVariable: String { "A2AL_" + rawValue.uppercased() }

    /// "--data-dir", "--max-connections", ...
    package var flag: String { "--" + rawValue.replacingUnderscores() }

    /// What a valid value looks like, for "expected ..., got ..." messages. `textual` is for
    /// the environment and flags, where every value is text.
    func expectation(textual: Bool) -> String {
        switch self {
        case .dataDir: return "a non-empty path"
        case .socket: return "a non-empty path of at most \(ConfigRules.maxSocketPathBytes) bytes"
        case .socketMode: return "octal permissions from \"0\" to \"0777\" (such as \"0600\")"
        case .socketGroup: return "a group name or number"
        case .listen: return "host:port with a port from 0 to 65535 (IPv6 in brackets, as in \"[::]:4121\")"
        case .bootstrap:
            return textual ? "comma-separated host:port peers" : "an array of host:port strings"
        case .passive: return textual ? "1, 0, true or false" : "true or false"
        case .debugHTTP, .metrics: return textual ? "host:port or \"off\"" : "host:port, \"off\" or null"
        case _ where countField != nil: return "a positive integer"
        case .logLevel: return "one of " + ConfigRules.logLevels.joined(separator: ", ")
        case .logFormat: return "one of " + ConfigRules.logFormats.joined(separator: ", ")
        default: return ""  // every other key is a count, answered above
        }
    }

    /// For the settings that are a positive count (connections, bytes, keys, milliseconds),
    /// the field of `DaemonConfig` that holds it; nil for the rest. Every layer reads, checks
    /// and applies them alike.
    var countField: WritableKeyPath<DaemonConfig, Int>? {
        switch self {
        case .maxConnections: return \.maxConnections
        case .maxLineBytes: return \.maxLineBytes
        case .maxInFlight: return \.maxInFlight
        case .maxOutputBytes: return \.maxOutputBytes
        case .outputStallTimeoutMs: return \.outputStallTimeoutMs
        case .maxStoreKeys: return \.maxStoreKeys
        case .storeMaxBytes: return \.storeMaxBytes
        case .storeMaxBytesPerSource: return \.storeMaxBytesPerSource
        case .peerCacheSize: return \.peerCacheSize
        default: return nil
        }
    }
}

/// The names for the config file setting itself, which is not part of the file.
package enum ConfigFileSetting {
    package static let environmentVariable = "A2AL_CONFIG"
    package static let flag = "--config"
    /// Looked for in the data directory when no file is named.
    package static let defaultFileName = "a2ald.json"
    /// The file key naming the JSON Schema an editor checks the file against (schema/config.json);
    /// not a setting, so the parser skips it.
    package static let schemaKey = "$schema"
}

extension String {
    fileprivate func replacingUnderscores() -> String {
        String(map { $0 == "_" ? "-" : $0 })
    }
}
