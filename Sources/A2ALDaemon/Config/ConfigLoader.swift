import A2ALRPC
import A2ALCore

/// Builds the daemon's configuration from its layers:
/// defaults < config file < environment (`A2AL_*`) < command-line flags.
package enum ConfigLoader {
    /// The config file is `--config PATH` (or `A2AL_CONFIG`), which must exist, or else
    /// `<data dir>/a2ald.json` if it exists, the data directory being the one the environment,
    /// flags or defaults name. `environment` is the process environment (injected by tests);
    /// `isRoot` selects the system default paths.
    package static func load(overrides: ConfigOverrides, environment: [String: String],
                            isRoot: Bool) throws(ConfigError) -> DaemonConfig {
        let flags = try overrides.layer()
        let env = try ConfigText.environmentLayer(environment)
        let defaultDataDir = DefaultPaths.dataDir(environment: environment, isRoot: isRoot)

        var file = ConfigLayer()
        var filePath: String?
        if let (path, namedBy) = namedConfigFile(overrides: overrides, environment: environment) {
            guard let bytes = try read(path, required: true, namedBy: namedBy) else {
                throw .configFileNotFound(path: path, namedBy: namedBy)
            }
            file = try ConfigFileParser.parse(bytes, path: path)
            filePath = path
        } else if let dataDir = flags.dataDir ?? env.dataDir ?? defaultDataDir {
            let path = (dataDir.hasSuffix("/") ? dataDir : dataDir + "/") + ConfigFileSetting.defaultFileName
            if let bytes = try read(path, required: false, namedBy: "") {
                file = try ConfigFileParser.parse(bytes, path: path)
                filePath = path
            }
        }

        guard let dataDir = flags.dataDir ?? env.dataDir ?? file.dataDir ?? defaultDataDir else {
            throw .noDataDirectory
        }
        var config = DaemonConfig(dataDir: dataDir,
                                  socketPath: DefaultPaths.socketPath(environment: environment, isRoot: isRoot,
                                                                      uid: DaemonSocketDefault.effectiveUID(environment: environment)),
                                  configFile: filePath)
        for layer in [file, env, flags] { layer.apply(to: &config) }
        return config
    }

    /// The file named by the flag or, failing that, the environment.
    private static func namedConfigFile(overrides: ConfigOverrides,
                                        environment: [String: String]) -> (String, String)? {
        if let path = overrides.configFile { return (path, ConfigFileSetting.flag) }
        if let path = environment[ConfigFileSetting.environmentVariable], !path.isEmpty {
            return (path, ConfigFileSetting.environmentVariable)
        }
        return nil
    }

    /// The file's bytes; nil when it does not exist.
    private static func read(_ path: String, required: Bool, namedBy: String) throws(ConfigError) -> [UInt8]? {
        guard !path.isEmpty else { throw .configFileNotFound(path: "\"\"", namedBy: namedBy) }
        do throws(FileError) {
            return try AtomicFile.read(path, maxBytes: ConfigFileParser.maxBytes)
        } catch where error.isNotFound {
            return nil
        } catch {
            throw .unreadableFile(path: path, reason: error.reason)
        }
    }
}
