import A2ALTestSupport
import A2ALRPC
import Testing
@testable import A2ALDaemon

/// schema/config.json is what the settings table makes (ConfigSchema), names every setting with
/// its built-in value, and refuses and accepts config files as the daemon's parser does.
@Suite struct ConfigSchemaTests {
    static let path = "schema/config.json"
    let schema: JSONValue
    let validator = JSONSchemaValidator()

    init() throws { schema = try PackageRoot.json(Self.path) }

    @Test func fileIsWhatTheTableMakes() throws {
        let file = String(decoding: try PackageRoot.read(Self.path), as: UTF8.self)
        #expect(file == ConfigSchema.text + "\n",
                "\(Self.path) is not what the settings table makes; regenerate it: swift run a2ald --print-config-schema > \(Self.path)")
        #expect(JSONSchemaValidator.unsupportedKeywords(in: schema).isEmpty)
    }

    /// One property per setting (and `$schema`), no others, each with the table's summary; the
    /// defaults, written as a config file, load as the built-in settings.
    @Test func everySettingWithItsBuiltInValue() throws {
        let properties = try #require(schema["properties"]?.objectValue)
        #expect(properties.keys == [ConfigFileSetting.schemaKey] + ConfigKey.allCases.map(\.fileKey))
        #expect(schema["additionalProperties"] == .bool(false))
        var defaults = JSONObject()
        for key in ConfigKey.allCases {
            let property = try #require(properties[key.fileKey])
            #expect(property["description"] == .string(key.summary), "\(key.fileKey)")
            guard let value = property["default"] else {
                // The paths depend on the user (DefaultPaths).
                #expect([ConfigKey.dataDir, .socket].contains(key), "\(key.fileKey) has no default")
                continue
            }
            #expect(validator.validate(value, against: property).isEmpty, "\(key.fileKey): default \(value)")
            defaults[key.fileKey] = value
        }
        var loaded = DaemonConfig.builtIn
        try ConfigFileParser.parse(JSONWriter.write(.object(defaults)), path: "defaults").apply(to: &loaded)
        #expect(loaded == DaemonConfig.builtIn)
        #expect(defaults.count == ConfigKey.allCases.count - 2)
    }

    /// Every file the daemon refuses (ConfigFileErrorTests' and a few more), the schema refuses
    /// at the key the daemon names, and nowhere else.
    @Test func filesTheDaemonRefusesTheSchemaRefusesAtTheSameKey() throws {
        let more = [#"{"max_conections":5}"#, #"{"$schema":5}"#, #"{"log_format":"xml"}"#, #"{"metrics":"127.0.0.1"}"#,
                    #"{"socket_group":-1}"#, #"{"socket_mode":"0000600"}"#, #"{"debug_http":"[::1]:0"}"#,
                    #"{"bootstrap":["[::1]"]}"#, #"{"listen":"[host]:1"}"#]
        for text in ConfigFileErrorTests.badFiles.map(\.file) + more {
            let setting = refusedSetting(text)
            #expect(setting != nil, "the daemon accepts \(text)")
            let paths = Set(validator.validate(try JSONParser.parse(Array(text.utf8)), against: schema).map(\.path))
            #expect(paths == ["$.\(setting ?? "")"], "\(text): the daemon refuses \(setting ?? "nothing"), the schema \(paths)")
        }
    }

    @Test func filesTheSchemaAcceptsTheDaemonAccepts() throws {
        let files = [
            "{}",
            #"{"$schema": "https://example.org/a2al/config.json", "socket_mode": "0o660", "socket_group": 0, "#
                + #""listen": "[fe80::1%eth0]:0", "bootstrap": ["seed.example.org:4121", "[::1]:1", "192.0.2.1:65535"], "#
                + #""debug_http": "off", "metrics": "127.0.0.1:0", "log_level": "trace", "log_format": "json", "#
                + #""data_dir": "/var/lib/a2al", "socket": "/run/a2al.sock", "max_connections": 1}"#,
            #"{"socket_group": "a2al", "socket_mode": "0", "debug_http": "[::1]:8080", "metrics": null, "passive": true}"#,
        ]
        for text in files {
            let violations = validator.validate(try JSONParser.parse(Array(text.utf8)), against: schema)
            #expect(violations.isEmpty, "\(text): \(violations)")
            #expect(refusedSetting(text) == nil, "the daemon refuses \(text)")
        }
    }

    /// The key the parser names in refusing `text`; nil when it accepts it.
    private func refusedSetting(_ text: String) -> String? {
        do {
            _ = try ConfigFileParser.parse(Array(text.utf8), path: "a2ald.json")
            return nil
        } catch {
            switch error {
            case .badValue(_, let setting, _): return setting
            case .unknownKey(_, let key): return key
            default: return "\(error)"
            }
        }
    }

    /// `--print-config` output ("key = value" lines) as a config file, each value read as the
    /// type its property allows: counts as integers, "(none)" and "off" as null or no peers.
    static func printedConfig(_ text: String, schema: JSONValue) -> JSONValue {
        var object = JSONObject()
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " = ", maxSplits: 1).map(String.init)
            let (key, value) = (parts[0], parts.count == 2 ? parts[1] : "")
            let type = schema["properties"]?[key]?["type"]
            let types = type?.arrayValue?.compactMap(\.stringValue) ?? type?.stringValue.map { [$0] } ?? []
            let none = value == DaemonConfig.noneText || value == ConfigValue.offText
            if types.contains("array") {
                object[key] = .array(none ? [] : value.split(separator: ",").map { .string(String($0)) })
            } else if none && types.contains("null") {
                object[key] = .null
            } else if types.contains("integer"), let number = Int64(value) {
                object[key] = .int(number)
            } else if types.contains("boolean"), let flag = Bool(value) {
                object[key] = .bool(flag)
            } else {
                object[key] = .string(value)
            }
        }
        return .object(object)
    }
}
