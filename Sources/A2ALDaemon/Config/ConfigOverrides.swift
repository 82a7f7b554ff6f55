/// Settings given on the command line: the top layer. nil leaves a setting to the layers
/// below. `debugHTTP` "off" turns the debug listener off even if a lower layer set it.
package struct ConfigOverrides: Sendable, Equatable {
    package var configFile: String?
    package var dataDir: String?
    package var socketPath: String?
    package var socketMode: UInt16?
    package var socketGroup: String?
    package var listen: String?
    package var bootstrap: [String]?
    package var passive: Bool?
    package var debugHTTP: String?
    /// The metrics listener (docs/metrics.md); "off" as for `debugHTTP`.
    package var metrics: String?
    package var maxConnections: Int?
    package var maxLineBytes: Int?
    package var maxInFlight: Int?
    package var maxOutputBytes: Int?
    package var outputStallTimeoutMs: Int?
    package var maxStoreKeys: Int?
    package var storeMaxBytes: Int?
    package var storeMaxBytesPerSource: Int?
    package var logLevel: String?
    package var logFormat: String?
    package var peerCacheSize: Int?

    package init(configFile: String? = nil, dataDir: String? = nil, socketPath: String? = nil,
                socketMode: UInt16? = nil, socketGroup: String? = nil, listen: String? = nil,
                bootstrap: [String]? = nil, passive: Bool? = nil, debugHTTP: String? = nil,
                maxConnections: Int? = nil, maxLineBytes: Int? = nil, maxInFlight: Int? = nil,
                maxStoreKeys: Int? = nil, logLevel: String? = nil, peerCacheSize: Int? = nil) {
        self.configFile = configFile
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
    }

    /// Sets `key` from a flag's text, read exactly as the environment variable would be
    /// ("0660" for a mode, "a:1,b:2" for bootstrap, "1"/"true" for passive). Errors name
    /// the flag (`key.flag`).
    package mutating func set(_ key: ConfigKey, text: String) throws(ConfigError) {
        let value = try ConfigText.parse(key, text, source: .flags, setting: key.flag)
        switch (key, value) {
        case (.dataDir, .string(let s)): dataDir = s
        case (.socket, .string(let s)): socketPath = s
        case (.socketMode, .mode(let m)): socketMode = m
        case (.socketGroup, .string(let s)): socketGroup = s
        case (.listen, .string(let s)): listen = s
        case (.bootstrap, .strings(let list)): bootstrap = list
        case (.passive, .bool(let b)): passive = b
        case (.debugHTTP, .string(let s)): debugHTTP = s
        case (.debugHTTP, .off): debugHTTP = ConfigValue.offText
        case (.metrics, .string(let s)): metrics = s
        case (.metrics, .off): metrics = ConfigValue.offText
        case (.maxConnections, .int(let n)): maxConnections = n
        case (.maxLineBytes, .int(let n)): maxLineBytes = n
        case (.maxInFlight, .int(let n)): maxInFlight = n
        case (.maxOutputBytes, .int(let n)): maxOutputBytes = n
        case (.outputStallTimeoutMs, .int(let n)): outputStallTimeoutMs = n
        case (.maxStoreKeys, .int(let n)): maxStoreKeys = n
        case (.storeMaxBytes, .int(let n)): storeMaxBytes = n
        case (.storeMaxBytesPerSource, .int(let n)): storeMaxBytesPerSource = n
        case (.logLevel, .string(let s)): logLevel = s
        case (.logFormat, .string(let s)): logFormat = s
        case (.peerCacheSize, .int(let n)): peerCacheSize = n
        default: break  // ConfigText.parse yields the value shape for each key
        }
    }

    /// The overrides as a validated layer; errors name the flag.
    func layer() throws(ConfigError) -> ConfigLayer {
        var layer = ConfigLayer()
        func put(_ key: ConfigKey, _ value: ConfigValue?) throws(ConfigError) {
            guard let value else { return }
            if let problem = ConfigValue.problem(key, value) {
                throw .badValue(source: .flags, setting: key.flag,
                                reason: problem.message(key: key, textual: true, got: value.textRendering()))
            }
            layer.values[key] = value
        }
        try put(.dataDir, dataDir.map(ConfigValue.string))
        try put(.socket, socketPath.map(ConfigValue.string))
        try put(.socketMode, socketMode.map(ConfigValue.mode))
        try put(.socketGroup, socketGroup.map(ConfigValue.string))
        try put(.listen, listen.map(ConfigValue.string))
        try put(.bootstrap, bootstrap.map(ConfigValue.strings))
        try put(.passive, passive.map(ConfigValue.bool))
        try put(.debugHTTP, debugHTTP.map { $0 == ConfigValue.offText ? .off : .string($0) })
        try put(.metrics, metrics.map { $0 == ConfigValue.offText ? .off : .string($0) })
        try put(.maxConnections, maxConnections.map(ConfigValue.int))
        try put(.maxLineBytes, maxLineBytes.map(ConfigValue.int))
        try put(.maxInFlight, maxInFlight.map(ConfigValue.int))
        try put(.maxOutputBytes, maxOutputBytes.map(ConfigValue.int))
        try put(.outputStallTimeoutMs, outputStallTimeoutMs.map(ConfigValue.int))
        try put(.maxStoreKeys, maxStoreKeys.map(ConfigValue.int))
        try put(.storeMaxBytes, storeMaxBytes.map(ConfigValue.int))
        try put(.storeMaxBytesPerSource, storeMaxBytesPerSource.map(ConfigValue.int))
        try put(.logLevel, logLevel.map(ConfigValue.string))
        try put(.logFormat, logFormat.map(ConfigValue.string))
        try put(.peerCacheSize, peerCacheSize.map(ConfigValue.int))
        return layer
    }
}
