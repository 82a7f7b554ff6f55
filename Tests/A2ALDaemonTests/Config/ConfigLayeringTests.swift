import Testing
@testable import A2ALDaemon

@Suite struct ConfigLayeringTests {
    static let fileText = #"""
    {
      "listen": "0.0.0.0:5000",
      "bootstrap": ["a.example:4121", "[2001:db8::1]:4121"],
      "log_level": "debug",
      "max_connections": 10,
      "passive": true,
      "debug_http": "127.0.0.1:2634",
      "socket_mode": "0660",
      "socket_group": "a2al",
      "max_line_bytes": 2048,
      "max_in_flight": 8,
      "max_output_bytes": 65536,
      "output_stall_timeout_ms": 1500,
      "max_store_keys": 500,
      "store_max_bytes": 1000000,
      "store_max_bytes_per_source": 50000,
      "peer_cache_size": 16
    }
    """#

    @Test func fileInTheDataDirectoryIsReadWhenPresent() throws {
        let temp = try StoreTestDirectory()
        try temp.write(Self.fileText, to: "a2ald.json")
        let config = try ConfigLoader.load(overrides: ConfigOverrides(),
                                           environment: ["A2AL_DATA_DIR": temp.path], isRoot: true)
        #expect(config.configFile == temp.file("a2ald.json"))
        #expect(config.dataDir == temp.path)
        #expect(config.socketPath == "/run/a2al.sock")
        #expect(config.listen == "0.0.0.0:5000")
        #expect(config.bootstrap == ["a.example:4121", "[2001:db8::1]:4121"])
        #expect(config.logLevel == "debug")
        #expect(config.maxConnections == 10)
        #expect(config.passive)
        #expect(config.debugHTTP == "127.0.0.1:2634")
        #expect(config.socketMode == 0o660)
        #expect(config.socketGroup == "a2al")
        #expect(config.maxLineBytes == 2048)
        #expect(config.maxInFlight == 8)
        #expect(config.maxOutputBytes == 65536 && config.outputStallTimeoutMs == 1500)
        #expect(config.maxStoreKeys == 500)
        #expect(config.storeMaxBytes == 1_000_000 && config.storeMaxBytesPerSource == 50_000)
        #expect(config.peerCacheSize == 16)
    }

    @Test func noFileIsFine() throws {
        let temp = try StoreTestDirectory()
        let config = try ConfigLoader.load(overrides: ConfigOverrides(dataDir: temp.path), environment: [:], isRoot: false)
        #expect(config.configFile == nil)
        #expect(config == DaemonConfig(dataDir: temp.path, socketPath: DefaultPaths.socketPath(environment: [:], isRoot: false)))
    }

    @Test func environmentBeatsFileAndFlagsBeatEnvironment() throws {
        let temp = try StoreTestDirectory()
        try temp.write(Self.fileText, to: "a2ald.json")
        let env = ["A2AL_DATA_DIR": temp.path, "A2AL_LISTEN": "[::1]:6000", "A2AL_LOG_LEVEL": "warning",
                   "A2AL_PASSIVE": "0", "A2AL_BOOTSTRAP": " p.example:1 , q.example:2 ,", "A2AL_DEBUG_HTTP": "off",
                   "A2AL_SOCKET_MODE": "600", "A2AL_MAX_CONNECTIONS": "20", "A2AL_SOCKET": "/env.sock"]
        let fromEnv = try ConfigLoader.load(overrides: ConfigOverrides(), environment: env, isRoot: true)
        #expect(fromEnv.listen == "[::1]:6000")
        #expect(fromEnv.logLevel == "warning")
        #expect(fromEnv.passive == false)
        #expect(fromEnv.bootstrap == ["p.example:1", "q.example:2"])
        #expect(fromEnv.debugHTTP == nil)
        #expect(fromEnv.socketMode == 0o600)
        #expect(fromEnv.maxConnections == 20)
        #expect(fromEnv.socketPath == "/env.sock")
        #expect(fromEnv.maxInFlight == 8)  // only in the file
        let stall = try ConfigLoader.load(overrides: ConfigOverrides(), environment: env.merging(["A2AL_OUTPUT_STALL_TIMEOUT_MS": "250"]) { $1 },
                                          isRoot: true)
        #expect(stall.outputStallTimeoutMs == 250 && stall.maxOutputBytes == 65536)

        var flags = ConfigOverrides(listen: "127.0.0.1:7000", bootstrap: [], debugHTTP: "127.0.0.1:9000")
        try flags.set(.maxConnections, text: "30")
        try flags.set(.logLevel, text: "error")
        try flags.set(.passive, text: "true")
        try flags.set(.socketMode, text: "0640")
        let fromFlags = try ConfigLoader.load(overrides: flags, environment: env, isRoot: true)
        #expect(fromFlags.listen == "127.0.0.1:7000")
        #expect(fromFlags.bootstrap == [])
        #expect(fromFlags.debugHTTP == "127.0.0.1:9000")
        #expect(fromFlags.maxConnections == 30)
        #expect(fromFlags.logLevel == "error")
        #expect(fromFlags.passive)
        #expect(fromFlags.socketMode == 0o640)
        #expect(fromFlags.socketPath == "/env.sock")

        let off = try ConfigLoader.load(overrides: ConfigOverrides(debugHTTP: "off"),
                                        environment: ["A2AL_DATA_DIR": temp.path], isRoot: true)
        #expect(off.debugHTTP == nil)
    }

    @Test func flagDataDirChoosesWhichFileIsRead() throws {
        let envDir = try StoreTestDirectory()
        let flagDir = try StoreTestDirectory()
        try envDir.write(#"{"log_level":"trace"}"#, to: "a2ald.json")
        try flagDir.write(#"{"log_level":"critical"}"#, to: "a2ald.json")
        let config = try ConfigLoader.load(overrides: ConfigOverrides(dataDir: flagDir.path),
                                           environment: ["A2AL_DATA_DIR": envDir.path], isRoot: false)
        #expect(config.logLevel == "critical")
        #expect(config.dataDir == flagDir.path)
    }

    @Test func explicitConfigFileIsUsedAndMaySetTheDataDir() throws {
        let temp = try StoreTestDirectory()
        try temp.write(#"{"data_dir":"/from/file","socket":"/from/file.sock","socket_group":null,"debug_http":null}"#,
                       to: "custom.json")
        let byFlag = try ConfigLoader.load(overrides: ConfigOverrides(configFile: temp.file("custom.json")),
                                           environment: ["HOME": "/h"], isRoot: false)
        #expect(byFlag.dataDir == "/from/file")
        #expect(byFlag.socketPath == "/from/file.sock")
        #expect(byFlag.configFile == temp.file("custom.json"))

        let byEnv = try ConfigLoader.load(overrides: ConfigOverrides(),
                                          environment: ["HOME": "/h", "A2AL_CONFIG": temp.file("custom.json"),
                                                        "A2AL_DATA_DIR": "/from/env"], isRoot: false)
        #expect(byEnv.dataDir == "/from/env")
        #expect(byEnv.socketPath == "/from/file.sock")
    }

    @Test func namedConfigFileMustExist() throws {
        let temp = try StoreTestDirectory()
        let missing = temp.file("nope.json")
        let byFlag = #expect(throws: ConfigError.self) {
            try ConfigLoader.load(overrides: ConfigOverrides(configFile: missing), environment: [:], isRoot: true)
        }
        #expect(byFlag == .configFileNotFound(path: missing, namedBy: "--config"))
        #expect(byFlag?.description == "config file \(missing) (from --config) does not exist")

        let byEnv = #expect(throws: ConfigError.self) {
            try ConfigLoader.load(overrides: ConfigOverrides(), environment: ["A2AL_CONFIG": missing], isRoot: true)
        }
        #expect(byEnv == .configFileNotFound(path: missing, namedBy: "A2AL_CONFIG"))
    }

    @Test func configFileThatIsADirectoryIsUnreadable() throws {
        let temp = try StoreTestDirectory()
        let error = #expect(throws: ConfigError.self) {
            try ConfigLoader.load(overrides: ConfigOverrides(configFile: temp.path), environment: [:], isRoot: true)
        }
        guard case .unreadableFile(let path, _) = error else {
            Issue.record("expected unreadableFile, got \(String(describing: error))")
            return
        }
        #expect(path == temp.path)
    }
}
