import Testing
@testable import A2ALDaemon

/// The `metrics` setting (docs/metrics.md): off by default, set from file, `A2AL_METRICS` or
/// `--metrics` like every setting, "off" or null turn it off, port 0 picks a free port.
@Suite struct MetricsConfigTests {
    @Test func offByDefaultAndShownByPrintConfig() throws {
        let temp = try StoreTestDirectory()
        let config = try ConfigLoader.load(overrides: ConfigOverrides(dataDir: temp.path), environment: [:], isRoot: false)
        #expect(config.metrics == nil)
        let described = Dictionary(uniqueKeysWithValues: config.describe().map { ($0.0, $0.1) })
        #expect(described["metrics"] == "off")
    }

    @Test func eachLayerSetsItAndTheHigherOneWins() throws {
        let temp = try StoreTestDirectory()
        try temp.write(#"{"metrics": "127.0.0.1:9101"}"#, to: "a2ald.json")
        let env = ["A2AL_DATA_DIR": temp.path]
        #expect(try ConfigLoader.load(overrides: ConfigOverrides(), environment: env, isRoot: true).metrics == "127.0.0.1:9101")
        let fromEnv = try ConfigLoader.load(overrides: ConfigOverrides(), environment: env.merging(["A2AL_METRICS": "[::1]:0"]) { $1 },
                                            isRoot: true)
        #expect(fromEnv.metrics == "[::1]:0")
        var flags = ConfigOverrides()
        try flags.set(.metrics, text: "off")
        #expect(try ConfigLoader.load(overrides: flags, environment: env, isRoot: true).metrics == nil)
        try flags.set(.metrics, text: "127.0.0.1:9200")
        let fromFlags = try ConfigLoader.load(overrides: flags, environment: env.merging(["A2AL_METRICS": "off"]) { $1 }, isRoot: true)
        #expect(fromFlags.metrics == "127.0.0.1:9200")
        #expect(ConfigKey.metrics.flag == "--metrics" && ConfigKey.metrics.environmentVariable == "A2AL_METRICS")
    }

    @Test func nullInTheFileIsOffAndBadValuesAreNamed() throws {
        let temp = try StoreTestDirectory()
        try temp.write(#"{"metrics": null}"#, to: "a2ald.json")
        #expect(try ConfigLoader.load(overrides: ConfigOverrides(), environment: ["A2AL_DATA_DIR": temp.path], isRoot: true).metrics == nil)
        let error = #expect(throws: ConfigError.self) {
            try ConfigLoader.load(overrides: ConfigOverrides(dataDir: temp.path), environment: ["A2AL_METRICS": "localhost"],
                                  isRoot: true)
        }
        #expect(error?.description.hasPrefix(#"environment variable A2AL_METRICS: expected host:port or "off", got "localhost""#) == true,
                "\(error?.description ?? "no error")")
        try temp.write(#"{"metrics": 9100}"#, to: "a2ald.json")
        let fileError = #expect(throws: ConfigError.self) {
            try ConfigLoader.load(overrides: ConfigOverrides(), environment: ["A2AL_DATA_DIR": temp.path], isRoot: true)
        }
        #expect(fileError?.description.contains(#"key "metrics": expected host:port, "off" or null, got 9100"#) == true,
                "\(fileError?.description ?? "no error")")
    }
}
