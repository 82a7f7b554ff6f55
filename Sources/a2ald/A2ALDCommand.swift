#if canImport(Glibc)
import Glibc
#endif
import A2ALDaemon
import A2ALRPC
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
        discussion: """
        Settings come from the embedded defaults, then the config file (<data-dir>/a2ald.json or
        --config), then A2AL_* environment variables, then these flags. Stop with SIGINT or
        SIGTERM; state is flushed before exit. API: docs/jsonrpc.md, schema/openrpc.json.
        """,
        version: DaemonVersion.string)

    @Option(help: "Data directory (identity, agents, publications, peer cache).") var dataDir: String?
    @Option(help: "Unix socket path for JSON-RPC.") var socket: String?
    @Option(help: "Socket permission bits, octal (default 0600).") var socketMode: String?
    @Option(help: "Group owning the socket (name or gid).") var socketGroup: String?
    @Option(help: "UDP listen address host:port (default [::]:4121).") var listen: String?
    @Option(help: "Bootstrap peer host:port; repeat or separate with commas.") var bootstrap: [String] = []
    @Flag(help: "Passive routing: answer queries but do not refill buckets.") var passive = false
    @Option(help: "Serve the debug HTTP endpoints on host:port (off by default).") var debugHttp: String?
    @Option(help: "Serve Prometheus metrics at http://host:port/metrics (off by default; bind 127.0.0.1).") var metrics: String?
    @Option(help: "Config file (JSON).") var config: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel: String?
    @Option(help: "Most JSON-RPC connections at once (default 256).") var maxConnections: String?
    @Option(help: "Longest JSON-RPC line in bytes (default 1048576).") var maxLineBytes: String?
    @Option(help: "Calls in flight per connection (default 128).") var maxInFlight: String?
    @Option(help: "Unsent reply bytes per connection before its requests are no longer read (default 4194304).")
    var maxOutputBytes: String?
    @Option(help: "Milliseconds a connection may stay past --max-output-bytes before it is closed (default 30000).")
    var outputStallTimeoutMs: String?
    @Option(help: "Record store key limit (default 100000).") var maxStoreKeys: String?
    @Option(help: "Record bytes the store holds before evicting (default 67108864).") var storeMaxBytes: String?
    @Option(help: "Record bytes one source network may hold (default 4194304).") var storeMaxBytesPerSource: String?
    @Option(help: "Peers kept in the warm-bootstrap cache (default 256).") var peerCacheSize: String?
    @Flag(help: "Print the effective configuration and exit.") var printConfig = false

    func run() async throws {
        var overrides = ConfigOverrides()
        overrides.configFile = config
        let seeds = bootstrap.flatMap { $0.split(separator: ",").map { String($0).trimmed } }.filter { !$0.isEmpty }
        let given: [(ConfigKey, String?)] = [
            (.dataDir, dataDir), (.socket, socket), (.socketMode, socketMode), (.socketGroup, socketGroup),
            (.listen, listen), (.bootstrap, seeds.isEmpty ? nil : seeds.joined(separator: ",")),
            (.passive, passive ? "true" : nil), (.debugHTTP, debugHttp), (.metrics, metrics), (.logLevel, logLevel),
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

        let settings: DaemonConfig
        do {
            settings = try ConfigLoader.load(overrides: overrides, environment: ProcessEnvironment.current(), isRoot: getuid() == 0)
        } catch {
            throw ValidationError("\(error)")
        }
        if printConfig {
            print(settings.describe().map { "\($0.0) = \($0.1)" }.joined(separator: "\n"))
            return
        }
        let level = Logger.Level(rawValue: settings.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = level
            return h
        }
        let logger = Logger(label: "a2ald")

        let inherited = SystemdActivation.takeListenFDs().first
        // Watched before the daemon starts serving: a client may send SIGTERM as soon as it
        // gets an answer, and a signal arriving before the watch is set up would be lost.
        let termination: SignalWaiter
        do {
            termination = try SignalWaiter.install()
        } catch {
            logger.critical("a2ald could not start: \(error)")
            throw ExitCode(1)
        }
        let daemon: Daemon
        do {
            daemon = try await Daemon.start(config: settings, logger: logger, inheritedSocketFD: inherited)
        } catch {
            logger.critical("a2ald could not start: \(error)")
            throw ExitCode(1)
        }
        let signal = await termination.wait()
        logger.info("received \(signal)")
        await daemon.shutdown()
    }
}

private extension String {
    var trimmed: String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s = s.dropFirst() }
        while s.last?.isWhitespace == true { s = s.dropLast() }
        return String(s)
    }
}
