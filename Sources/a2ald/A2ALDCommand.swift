#if canImport(Glibc)
import Glibc
#endif
import A2ALDaemon
import A2ALRPC
import A2ALSocket
import ArgumentParser
import Dispatch
import Logging

/// `a2ald`: runs one A2AL DHT node and serves JSON-RPC on a Unix socket. With no arguments it
/// uses the embedded defaults (see `--print-config`).
@main
struct A2ALDCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "a2ald",
        abstract: "A2AL DHT node daemon: JSON-RPC 2.0 over a Unix socket.",
        // One paragraph: the parser wraps it to the terminal. The live settings come from the
        // reload plan, so this text can not drift from what a reload does.
        discussion: "Settings come from the embedded defaults, then the config file (<data-dir>/a2ald.json or "
            + "--config), then A2AL_* environment variables, then these flags. Stop with SIGINT or SIGTERM; state "
            + "is flushed before exit. SIGHUP reloads the config file: "
            + ConfigKey.allCases.filter(ReloadPlan.liveKeys.contains).map(\.flag).joined(separator: ", ")
            + " change live; other settings need a restart. Under systemd (Type=notify) it reports readiness "
            + "and answers the watchdog. Logs go to standard error, with <N> priority prefixes when that is the "
            + "journal. API: docs/jsonrpc.md, schema/openrpc.json. Service: docs/systemd.md.",
        version: DaemonVersion.string)

    // Help text and defaults come from the settings table (ConfigKey+Docs.swift).
    @Option(help: .setting(.dataDir)) var dataDir: String?
    @Option(help: .setting(.socket)) var socket: String?
    @Option(help: .setting(.socketMode)) var socketMode: String?
    @Option(help: .setting(.socketGroup)) var socketGroup: String?
    @Option(help: .setting(.listen)) var listen: String?
    @Option(help: .setting(.bootstrap)) var bootstrap: [String] = []
    @Flag(help: .setting(.passive)) var passive = false
    @Option(help: .setting(.debugHTTP)) var debugHttp: String?
    @Option(help: .setting(.metrics)) var metrics: String?
    @Option(help: "Config file (JSON).") var config: String?
    @Option(help: .setting(.logLevel)) var logLevel: String?
    @Option(help: .setting(.logFormat)) var logFormat: String?
    @Option(help: .setting(.maxConnections)) var maxConnections: String?
    @Option(help: .setting(.maxLineBytes)) var maxLineBytes: String?
    @Option(help: .setting(.maxInFlight)) var maxInFlight: String?
    @Option(help: .setting(.maxOutputBytes)) var maxOutputBytes: String?
    @Option(help: .setting(.outputStallTimeoutMs)) var outputStallTimeoutMs: String?
    @Option(help: .setting(.maxStoreKeys)) var maxStoreKeys: String?
    @Option(help: .setting(.storeMaxBytes)) var storeMaxBytes: String?
    @Option(help: .setting(.storeMaxBytesPerSource)) var storeMaxBytesPerSource: String?
    @Option(help: .setting(.peerCacheSize)) var peerCacheSize: String?
    @Flag(help: "Print the effective configuration and exit.") var printConfig = false
    // Hidden: for regenerating schema/config.json (docs/systemd.md, "Passing settings").
    @Flag(help: .hidden) var printConfigSchema = false

    func run() async throws {
        if printConfigSchema {
            print(ConfigSchema.text)
            return
        }
        var overrides = ConfigOverrides()
        overrides.configFile = config
        let seeds = bootstrap.flatMap { $0.split(separator: ",").map { String($0).trimmed } }.filter { !$0.isEmpty }
        let given: [(ConfigKey, String?)] = [
            (.dataDir, dataDir), (.socket, socket), (.socketMode, socketMode), (.socketGroup, socketGroup),
            (.listen, listen), (.bootstrap, seeds.isEmpty ? nil : seeds.joined(separator: ",")),
            (.passive, passive ? "true" : nil), (.debugHTTP, debugHttp), (.metrics, metrics), (.logLevel, logLevel),
            (.logFormat, logFormat),
            (.maxConnections, maxConnections), (.maxLineBytes, maxLineBytes), (.maxInFlight, maxInFlight),
            (.maxOutputBytes, maxOutputBytes), (.outputStallTimeoutMs, outputStallTimeoutMs),
            (.maxStoreKeys, maxStoreKeys), (.storeMaxBytes, storeMaxBytes),
            (.storeMaxBytesPerSource, storeMaxBytesPerSource), (.peerCacheSize, peerCacheSize),
        ]
        do {
            for case let (key, text?) in given { try overrides.set(key, text: text) }
        } catch {
            throw ValidationError("\(error)")
        }

        let environment = ProcessEnvironment.current()
        // Root by effective uid, as every client decides it (docs/jsonrpc.md, "Finding the socket").
        let isRoot = DaemonSocketDefault.effectiveUID(environment: environment) == 0
        let settings: DaemonConfig
        do {
            settings = try ConfigLoader.load(overrides: overrides, environment: environment, isRoot: isRoot)
        } catch {
            throw ValidationError("\(error)")
        }
        if printConfig {
            print(settings.describe().map { "\($0.0) = \($0.1)" }.joined(separator: "\n"))
            return
        }
        let logSettings = LogSettings(level: Logger.Level(rawValue: settings.logLevel) ?? .info,
                                      format: LogFormat(rawValue: settings.logFormat) ?? .text,
                                      journal: JournalStream.isStandardError(environment: environment))
        LoggingSystem.bootstrap { label in DaemonLogHandler(label: label, settings: logSettings) }
        let logger = Logger(label: "a2ald")
        let notifier = SystemdNotifier.fromEnvironment(environment)

        let inherited = SystemdActivation.takeListenFDs().first
        // Watched before the daemon starts serving: a client may send SIGTERM as soon as it
        // gets an answer, and a signal arriving before the watch is set up would be lost.
        let signals: SignalPipe
        do {
            signals = try SignalPipe.install()
        } catch {
            logger.critical("a2ald could not start: \(error)")
            throw ExitCode(1)
        }
        notifier.notify(SystemdNotifier.status("starting"))
        let daemon: Daemon
        do {
            daemon = try await Daemon.start(config: settings, logger: logger, inheritedSocketFD: inherited)
        } catch {
            logger.critical("a2ald could not start: \(error)")
            notifier.notify(SystemdNotifier.status("could not start: \(error)"))
            throw ExitCode(1)
        }
        let lifecycle = DaemonLifecycle(
            daemon: daemon, signals: signals, notifier: notifier, logSettings: logSettings, logger: logger,
            environment: environment,
            reloadConfig: { [overrides] in try ConfigLoader.load(overrides: overrides, environment: ProcessEnvironment.current(), isRoot: isRoot) },
            // Further services (a metrics endpoint) go here: they start after the daemon is up
            // and stop before it shuts down.
            extraServices: [])
        do {
            try await lifecycle.run()
        } catch {
            logger.error("service group ended with an error: \(error)")
            await daemon.shutdown()
            throw ExitCode(1)
        }
    }
}

private extension ArgumentHelp {
    static func setting(_ key: ConfigKey) -> ArgumentHelp { ArgumentHelp(key.help) }
}

private extension String {
    var trimmed: String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s = s.dropFirst() }
        while s.last?.isWhitespace == true { s = s.dropLast() }
        return String(s)
    }
}
