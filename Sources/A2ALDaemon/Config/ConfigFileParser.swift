import A2ALRPC

/// Reads the JSON config file into a layer. The file is strict JSON, read by the same parser as
/// every JSON-RPC request (docs/systemd.md, "Passing settings"), so a syntax fault says where it
/// is. Unknown keys are refused (a typo must not be silently ignored), and every other fault
/// names the file and the key. `"$schema"` (an editor's pointer to schema/config.json) is skipped.
enum ConfigFileParser {
    /// A config file is a handful of settings; anything bigger is not one.
    static let maxBytes = 1 << 20

    static func parse(_ bytes: [UInt8], path: String) throws(ConfigError) -> ConfigLayer {
        let root: JSONValue
        do throws(JSONParseError) {
            root = try JSONParser.parse(bytes)
        } catch {
            let (line, column) = error.position(in: bytes)
            throw .invalidJSON(path: path, line: line, column: column, reason: error.reason)
        }
        guard case .object(let members) = root else {
            throw .malformedFile(path: path, reason: "the file must hold a JSON object, found \(root.kindName)")
        }
        var layer = ConfigLayer()
        // Sorted, so that with several faults the same one is reported every time.
        for (name, raw) in members.members.sorted(by: { $0.key < $1.key }) {
            if name == ConfigFileSetting.schemaKey {
                guard raw.stringValue != nil else {
                    throw .badValue(source: .file(path), setting: name, reason: "expected a string, got \(raw.rendering)")
                }
                continue
            }
            guard let key = ConfigKey(rawValue: name) else { throw .unknownKey(file: path, key: name) }
            layer.values[key] = try value(key, raw, path: path)
        }
        return layer
    }

    private static func value(_ key: ConfigKey, _ raw: JSONValue, path: String) throws(ConfigError) -> ConfigValue {
        func bad(_ setting: String, _ reason: String) -> ConfigError {
            .badValue(source: .file(path), setting: setting, reason: reason)
        }
        if case .array(let items) = raw, key == .bootstrap {
            // Name the entry at fault: "bootstrap[2]".
            for (index, item) in items.enumerated() where item.stringValue == nil {
                throw bad("\(key.fileKey)[\(index)]",
                          "expected \(ConfigValue.peerExpectation), got \(item.rendering)")
            }
        }
        guard let value = convert(key, raw) else {
            throw bad(key.fileKey, "expected \(key.expectation(textual: false)), got \(raw.rendering)")
        }
        if let problem = ConfigValue.problem(key, value) {
            let setting = problem.element.map { "\(key.fileKey)[\($0.index)]" } ?? key.fileKey
            throw bad(setting, problem.message(key: key, textual: false, got: raw.rendering))
        }
        return value
    }

    /// JSON value → value of the key's shape; nil when it is the wrong type.
    private static func convert(_ key: ConfigKey, _ raw: JSONValue) -> ConfigValue? {
        switch (key, raw) {
        case (.dataDir, .string(let s)), (.socket, .string(let s)), (.listen, .string(let s)),
             (.logLevel, .string(let s)), (.logFormat, .string(let s)), (.socketGroup, .string(let s)):
            return .string(s)
        case (.socketGroup, .int(let gid)) where gid >= 0:
            return .string(String(gid))
        case (.socketGroup, .null), (.debugHTTP, .null), (.metrics, .null):
            return .off
        case (.socketMode, .string(let s)):
            // Only text: a JSON number 600 would be read as decimal, which is never what is meant.
            return ConfigRules.parseMode(s).map(ConfigValue.mode)
        case (.bootstrap, .array(let items)):
            let peers = items.compactMap(\.stringValue)
            return peers.count == items.count ? .strings(peers) : nil
        case (.passive, .bool(let b)):
            return .bool(b)
        case (.debugHTTP, .string(let s)), (.metrics, .string(let s)):
            return s == ConfigValue.offText ? .off : .string(s)
        case (_, .int(let n)) where key.countField != nil:
            return Int(exactly: n).map(ConfigValue.int)
        default:
            return nil
        }
    }
}

extension JSONValue {
    var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .bigInt, .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// The value as it appears in JSON, for "got ..." in error messages; containers by their kind.
    var rendering: String {
        switch self {
        case .array, .object: return kindName
        default: return compactText
        }
    }
}
