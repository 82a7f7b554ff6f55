import A2ALDHT
import A2ALRPC
import A2ALSocket

/// The daemon's settings after layering defaults, config file, environment and flags.
package struct DaemonConfig: Sendable, Equatable {
    package var dataDir: String
    package var socketPath: String
    /// Permission bits of the socket; written as octal text ("0600") everywhere a person types it.
    package var socketMode: UInt16 = 0o600
    package var socketGroup: String?
    /// UDP "host:port"; the node falls back to IPv4 itself when `[::]` is unavailable.
    package var listen = DaemonConfig.defaultListen
    /// "host:port" peers to bootstrap from.
    package var bootstrap: [String] = []
    package var passive = false
    /// The debug HTTP listener's "host:port"; nil is off.
    package var debugHTTP: String?
    /// The Prometheus listener's "host:port" (`GET /metrics`, docs/metrics.md); nil is off.
    package var metrics: String?
    package var maxConnections = UnixSocketOptions.defaultMaxConnections
    package var maxLineBytes = UnixSocketOptions.defaultMaxLineBytes
    /// Per connection.
    package var maxInFlight = RPCLimits.defaultMaxInFlightPerConnection
    /// Unsent output per connection before its requests are no longer read, and how long it
    /// may stay there before the connection is closed (docs/jsonrpc.md).
    package var maxOutputBytes = UnixSocketOptions.defaultMaxOutputBytes
    package var outputStallTimeoutMs = UnixSocketOptions.defaultOutputStallTimeoutMs
    package var maxStoreKeys = StoreLimits.defaultMaxKeys
    /// Record bytes the store holds before evicting, and what one source network may hold.
    package var storeMaxBytes = StoreLimits.defaultMaxBytes
    package var storeMaxBytesPerSource = StoreLimits.defaultMaxBytesPerSource
    /// trace, debug, info, notice, warning, error or critical.
    package var logLevel = "info"
    /// "text" or "json" (docs/systemd.md, "Logs").
    package var logFormat = "text"
    package var peerCacheSize = PeerCache.defaultCapacity
    /// The config file that was read, if any (informational: not a setting).
    package var configFile: String?

    /// The UDP port nodes listen on unless told otherwise (docs/getting-started.md), and so the
    /// port bootstrap lists usually name.
    package static let defaultPort = 4121
    package static let defaultListen = "[::]:\(defaultPort)"

    /// Every other setting starts at its default (the settings table: ConfigKey+Docs.swift).
    package init(dataDir: String, socketPath: String, configFile: String? = nil) {
        self.dataDir = dataDir
        self.socketPath = socketPath
        self.configFile = configFile
    }

    /// What `--print-config` shows for an unset group or an empty peer list.
    static let noneText = "(none)"

    /// The embedded defaults, apart from the paths (which depend on the user: DefaultPaths).
    static let builtIn = DaemonConfig(dataDir: "", socketPath: "")

    /// Every setting as (file key, value text), in a fixed order, for `--print-config`.
    package func describe() -> [(String, String)] {
        ConfigKey.allCases.map { ($0.fileKey, text(of: $0)) }
    }

    /// One setting's value as `--print-config` prints it.
    func text(of key: ConfigKey) -> String {
        if let field = key.countField { return String(self[keyPath: field]) }
        switch key {
        case .dataDir: return dataDir
        case .socket: return socketPath
        case .socketMode: return ConfigRules.octal(socketMode)
        case .socketGroup: return socketGroup ?? Self.noneText
        case .listen: return listen
        case .bootstrap: return bootstrap.isEmpty ? Self.noneText : bootstrap.joined(separator: ",")
        case .passive: return passive ? "true" : "false"
        case .debugHTTP: return debugHTTP ?? ConfigValue.offText
        case .metrics: return metrics ?? ConfigValue.offText
        case .logLevel: return logLevel
        case .logFormat: return logFormat
        default: return ""  // the counts, answered above
        }
    }
}
