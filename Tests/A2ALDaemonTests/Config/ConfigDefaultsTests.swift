import Glibc
import Testing
@testable import A2ALDaemon

@Suite struct ConfigDefaultsTests {
    /// An environment without the user's real XDG or A2AL variables, and a HOME with no config file.
    static let home = "/nonexistent-a2ald-test-home"

    @Test func rootDefaults() throws {
        let config = try ConfigLoader.load(overrides: ConfigOverrides(), environment: ["HOME": "/root"], isRoot: true)
        #expect(config.dataDir == "/var/lib/a2al")
        #expect(config.socketPath == "/run/a2al.sock")
        #expect(config.socketMode == 0o600)
        #expect(config.socketGroup == nil)
        #expect(config.listen == "[::]:4121")
        #expect(config.bootstrap == [])
        #expect(config.passive == false)
        #expect(config.debugHTTP == nil)
        #expect(config.maxConnections == 256)
        #expect(config.maxLineBytes == 1 << 20)
        #expect(config.maxInFlight == 128)
        #expect(config.maxOutputBytes == 4 << 20)
        #expect(config.outputStallTimeoutMs == 30_000)
        #expect(config.maxStoreKeys == 100_000)
        #expect(config.logLevel == "info")
        #expect(config.peerCacheSize == 256)
    }

    @Test func nonRootUsesXDGDirectories() throws {
        let env = ["HOME": Self.home, "XDG_DATA_HOME": "/xdg/data", "XDG_RUNTIME_DIR": "/run/user/1000"]
        let config = try ConfigLoader.load(overrides: ConfigOverrides(), environment: env, isRoot: false)
        #expect(config.dataDir == "/xdg/data/a2al")
        #expect(config.socketPath == "/run/user/1000/a2al.sock")
    }

    @Test func nonRootFallsBackToHomeAndTmp() throws {
        let config = try ConfigLoader.load(overrides: ConfigOverrides(), environment: ["HOME": Self.home], isRoot: false)
        #expect(config.dataDir == Self.home + "/.local/share/a2al")
        #expect(config.socketPath == "/tmp/a2al-\(getuid())/a2al.sock")
    }

    @Test func relativeXDGValuesAreIgnored() throws {
        let env = ["HOME": Self.home, "XDG_DATA_HOME": "relative", "XDG_RUNTIME_DIR": "also/relative"]
        let config = try ConfigLoader.load(overrides: ConfigOverrides(), environment: env, isRoot: false)
        #expect(config.dataDir == Self.home + "/.local/share/a2al")
        #expect(config.socketPath == "/tmp/a2al-\(getuid())/a2al.sock")
    }

    @Test func withoutHomeADataDirectoryMustBeGiven() throws {
        let error = #expect(throws: ConfigError.self) {
            try ConfigLoader.load(overrides: ConfigOverrides(), environment: [:], isRoot: false)
        }
        #expect(error == .noDataDirectory)
        #expect(error?.description.contains("A2AL_DATA_DIR") == true)
        let given = try ConfigLoader.load(overrides: ConfigOverrides(dataDir: "/d"), environment: [:], isRoot: false)
        #expect(given.dataDir == "/d")
    }

    @Test func defaultPathsHelpers() {
        #expect(DefaultPaths.socketPath(environment: [:], isRoot: false, uid: 1234) == "/tmp/a2al-1234/a2al.sock")
        #expect(DefaultPaths.socketPath(environment: ["XDG_RUNTIME_DIR": "/run/user/7/"], isRoot: false)
                == "/run/user/7/a2al.sock")
        #expect(DefaultPaths.dataDir(environment: [:], isRoot: false) == nil)
        #expect(DefaultPaths.dataDir(environment: ["XDG_DATA_HOME": "/x"], isRoot: true) == "/var/lib/a2al")
    }

    @Test func describeListsEverySettingOnce() {
        var config = DaemonConfig(dataDir: "/d", socketPath: "/s")
        config.socketMode = 0o660
        config.bootstrap = ["a:1", "b:2"]
        let described = config.describe()
        #expect(described.map(\.0) == ConfigKey.allCases.map(\.fileKey))
        let values = Dictionary(uniqueKeysWithValues: described)
        #expect(values["socket_mode"] == "0660")
        #expect(values["bootstrap"] == "a:1,b:2")
        #expect(values["debug_http"] == "off")
    }

    @Test func namesOfEachSetting() {
        #expect(ConfigKey.maxConnections.fileKey == "max_connections")
        #expect(ConfigKey.maxConnections.environmentVariable == "A2AL_MAX_CONNECTIONS")
        #expect(ConfigKey.maxConnections.flag == "--max-connections")
        #expect(ConfigKey.socket.environmentVariable == "A2AL_SOCKET")
        #expect(ConfigKey.debugHTTP.environmentVariable == "A2AL_DEBUG_HTTP")
    }
}
