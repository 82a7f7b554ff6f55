/// The settings one layer (file, environment or flags) provides, already validated.
struct ConfigLayer: Sendable {
    var values: [ConfigKey: ConfigValue] = [:]

    var dataDir: String? {
        if case .string(let s) = values[.dataDir] { return s }
        return nil
    }

    /// Writes this layer's settings over `config`.
    func apply(to config: inout DaemonConfig) {
        for (key, value) in values {
            switch (key, value) {
            case (.dataDir, .string(let s)): config.dataDir = s
            case (.socket, .string(let s)): config.socketPath = s
            case (.socketMode, .mode(let m)): config.socketMode = m
            case (.socketGroup, .string(let s)): config.socketGroup = s
            case (.socketGroup, .off): config.socketGroup = nil
            case (.listen, .string(let s)): config.listen = s
            case (.bootstrap, .strings(let list)): config.bootstrap = list
            case (.passive, .bool(let b)): config.passive = b
            case (.debugHTTP, .string(let s)): config.debugHTTP = s
            case (.debugHTTP, .off): config.debugHTTP = nil
            case (.metrics, .string(let s)): config.metrics = s
            case (.metrics, .off): config.metrics = nil
            case (.logLevel, .string(let s)): config.logLevel = s
            case (.logFormat, .string(let s)): config.logFormat = s
            case (_, .int(let n)): if let field = key.countField { config[keyPath: field] = n }
            default: break  // every layer validates shapes with ConfigValue.problem before storing
            }
        }
    }
}
