import A2ALDHT
import A2ALRPC

/// The daemon's settings after layering defaults, config file, environment and flags.
package struct DaemonConfig: Sendable, Equatable {
    package var dataDir: String
    package var socketPath: String
    /// Permission bits of the socket; written as octal text ("0600") everywhere a person types it.
    package var socketMode: UInt16
    package var socketGroup: String?
    /// UDP "host:port"; the node falls back to IPv4 itself when `[::]` is unavailable.
    package var listen: String
    /// "host:port" peers to bootstrap from.
    package var bootstrap: [String]
    package var passive: Bool
    /// The debug HTTP listener's "host:port"; nil is off.
    package var debugHTTP: String?
    /// The Prometheus listener's "host:port" (`GET /metrics`, docs/metrics.md); nil is off.
    package var metrics: String?
    package var maxConnections: Int
    package var maxLineBytes: Int
    /// Per connection.
    package var maxInFlight: Int
    /// Unsent output per connection before its requests are no longer read, and how long it
    /// may stay there before the connection is closed (docs/jsonrpc.md).
    package var maxOutputBytes: Int = UnixSocketOptions.defaultMaxOutputBytes
    package var outputStallTimeoutMs: Int = UnixSocketOptions.defaultOutputStallTimeoutMs
    package var maxStoreKeys: Int
    /// Record bytes the store holds before evicting, and what one source network may hold.
    package var storeMaxBytes: Int = StoreLimits.defaultMaxBytes
    package var storeMaxBytesPerSource: Int = StoreLimits.defaultMaxBytesPerSource
    /// trace, debug, info, notice, warning, error or critical.
    package var logLevel: String
    /// "text" or "json" (docs/systemd.md, "Logs").
    package var logFormat: String = "text"
    package var peerCacheSize: Int
    /// The config file that was read, if any (informational: not a setting).
    package var configFile: String?

    package static let defaultListen = "[::]:4121"

    package init(dataDir: String, socketPath: String, socketMode: UInt16 = 0o600, socketGroup: String? = nil,
                listen: String = DaemonConfig.defaultListen, bootstrap: [String] = [], passive: Bool = false,
                debugHTTP: String? = nil, maxConnections: Int = 256, maxLineBytes: Int = 1 << 20,
                maxInFlight: Int = RPCLimits.defaultMaxInFlightPerConnection, maxStoreKeys: Int = 100_000, logLevel: String = "info",
                peerCacheSize: Int = 256, configFile: String? = nil) {
        self.dataDir = dataDir
        self.socketPath = socketPath
        self.socketMode = socketMode
        self.socketGroup = socketGroup
        self.listen = listen
        self.bootstrap = bootstrap
        self.passive = passive
        self.debugHTTP = debugHTTP
        self.maxConnections = maxConnections
        self.maxLineBytes = maxLineBytes
        self.maxInFlight = maxInFlight
        self.maxStoreKeys = maxStoreKeys
        self.logLevel = logLevel
        self.peerCacheSize = peerCacheSize
        self.configFile = configFile
    }

    /// Every setting as (file key, value text), in a fixed order, for `--print-config`.
    package func describe() -> [(String, String)] {
        ConfigKey.allCases.map { key in
            let value: String
            switch key {
            case .dataDir: value = dataDir
            case .socket: value = socketPath
            case .socketMode: value = ConfigRules.octal(socketMode)
            case .socketGroup: value = socketGroup ?? "(none)"
            case .listen: value = listen
            case .bootstrap: value = bootstrap.isEmpty ? "(none)" : bootstrap.joined(separator: ",")
            case .passive: value = passive ? "true" : "false"
            case .debugHTTP: value = debugHTTP ?? "off"
            case .metrics: value = metrics ?? "off"
            case .maxConnections: value = String(maxConnections)
            case .maxLineBytes: value = String(maxLineBytes)
            case .maxInFlight: value = String(maxInFlight)
            case .maxOutputBytes: value = String(maxOutputBytes)
            case .outputStallTimeoutMs: value = String(outputStallTimeoutMs)
            case .maxStoreKeys: value = String(maxStoreKeys)
            case .storeMaxBytes: value = String(storeMaxBytes)
            case .storeMaxBytesPerSource: value = String(storeMaxBytesPerSource)
            case .logLevel: value = logLevel
            case .logFormat: value = logFormat
            case .peerCacheSize: value = String(peerCacheSize)
            }
            return (key.fileKey, value)
        }
    }
}
