/// Settings written as text: environment variables and command-line flags.
enum ConfigText {
    /// Parses and validates `text` for `key`; errors name `setting` (the variable or flag).
    static func parse(_ key: ConfigKey, _ text: String, source: ConfigSource,
                      setting: String) throws(ConfigError) -> ConfigValue {
        guard let value = convert(key, text) else {
            throw .badValue(source: source, setting: setting,
                            reason: "expected \(key.expectation(textual: true)), got \(quoted(text))")
        }
        if let problem = ConfigValue.problem(key, value) {
            throw .badValue(source: source, setting: setting,
                            reason: problem.message(key: key, textual: true, got: quoted(text)))
        }
        return value
    }

    /// The environment layer. Empty variables count as unset, as shells make it easy to
    /// export an empty value by accident.
    static func environmentLayer(_ environment: [String: String]) throws(ConfigError) -> ConfigLayer {
        var layer = ConfigLayer()
        for key in ConfigKey.allCases {
            guard let text = environment[key.environmentVariable], !text.isEmpty else { continue }
            layer.values[key] = try parse(key, text, source: .environment, setting: key.environmentVariable)
        }
        return layer
    }

    /// Text → value of the key's shape; nil when the text cannot be that shape at all.
    private static func convert(_ key: ConfigKey, _ text: String) -> ConfigValue? {
        switch key {
        case .dataDir, .socket, .socketGroup, .listen, .logLevel, .logFormat:
            return .string(text)
        case .socketMode:
            return ConfigRules.parseMode(text).map(ConfigValue.mode)
        case .bootstrap:
            let peers = text.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
            return .strings(peers)
        case .passive:
            switch text.lowercased() {
            case "1", "true": return .bool(true)
            case "0", "false": return .bool(false)
            default: return nil
            }
        case .debugHTTP, .metrics:
            return text == ConfigValue.offText ? .off : .string(text)
        default:  // a count (ConfigKey.countField)
            return Int(text).map(ConfigValue.int)
        }
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
