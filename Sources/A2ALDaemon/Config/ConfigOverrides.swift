/// Settings given on the command line: the top layer. A setting not given is left to the
/// layers below; `debugHTTP` "off" turns the debug listener off even if a lower layer set it.
package struct ConfigOverrides: Sendable, Equatable {
    package var configFile: String?
    /// The given settings, by key; validated by `layer()` so errors name the flag.
    private(set) var values: [ConfigKey: ConfigValue] = [:]

    package init(configFile: String? = nil, dataDir: String? = nil, socketMode: UInt16? = nil,
                listen: String? = nil, bootstrap: [String]? = nil, debugHTTP: String? = nil,
                maxInFlight: Int? = nil, logLevel: String? = nil) {
        self.configFile = configFile
        values[.dataDir] = dataDir.map(ConfigValue.string)
        values[.socketMode] = socketMode.map(ConfigValue.mode)
        values[.listen] = listen.map(ConfigValue.string)
        values[.bootstrap] = bootstrap.map(ConfigValue.strings)
        values[.debugHTTP] = debugHTTP.map { $0 == ConfigValue.offText ? .off : .string($0) }
        values[.maxInFlight] = maxInFlight.map(ConfigValue.int)
        values[.logLevel] = logLevel.map(ConfigValue.string)
    }

    /// Sets `key` from a flag's text, read exactly as the environment variable would be
    /// ("0660" for a mode, "a:1,b:2" for bootstrap, "1"/"true" for passive). Errors name
    /// the flag (`key.flag`).
    package mutating func set(_ key: ConfigKey, text: String) throws(ConfigError) {
        values[key] = try ConfigText.parse(key, text, source: .flags, setting: key.flag)
    }

    /// The overrides as a validated layer; errors name the flag.
    func layer() throws(ConfigError) -> ConfigLayer {
        // In key order, so that with several faults the same one is reported every time.
        for key in ConfigKey.allCases {
            guard let value = values[key], let problem = ConfigValue.problem(key, value) else { continue }
            throw .badValue(source: .flags, setting: key.flag,
                            reason: problem.message(key: key, textual: true, got: value.textRendering()))
        }
        return ConfigLayer(values: values)
    }
}
