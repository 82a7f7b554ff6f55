#if canImport(Glibc)
import Glibc
#endif
import A2ALCore
import A2ALDHT
import A2ALDebugHTTP
import A2ALProtocol
import A2ALRPC
import A2ALSocket
import A2ALThreads
import A2ALUDP
import Logging
import NIOCore
import NIOPosix

/// The running daemon: one DHT node on UDP, the JSON-RPC service on a Unix socket, and the
/// data directory that makes both survive restarts. `start` brings everything up in an order
/// where each part's dependencies exist first; `shutdown` takes it down in reverse and flushes
/// state.
package final class Daemon: Sendable {
    package let config: DaemonConfig
    package let node: DHTNode
    package let service: RPCService
    package var socketPath: String { socket.path }
    /// The JSON-RPC socket's loop threads (`OpenFileBudget` may run fewer than the default).
    package var socketThreads: Int { socket.threads }
    /// Requests its socket loops read while each waited on a single client (benchmark report).
    package var socketReadsWhileAlone: Int { socket.readsWhileAlone }

    let logger: Logger
    let group: MultiThreadedEventLoopGroup
    let dataDirectory: DataDirectory
    let socket: UnixSocketServer
    let debugHTTP: DebugHTTPServer?
    let metricsHTTP: MetricsHTTPServer?
    let peerCache: PeerCacheKeeper
    let background: BackgroundTasks
    let watches: WatchRegistry
    /// The bootstrap peers re-joins go through; a reload may replace them (Daemon+Reload).
    let seeds: SleepingLock<[String]>

    private init(config: DaemonConfig, node: DHTNode, service: RPCService, logger: Logger,
                 group: MultiThreadedEventLoopGroup, dataDirectory: DataDirectory, socket: UnixSocketServer,
                 debugHTTP: DebugHTTPServer?, metricsHTTP: MetricsHTTPServer?, peerCache: PeerCacheKeeper, background: BackgroundTasks,
                 watches: WatchRegistry) {
        self.config = config
        self.node = node
        self.service = service
        self.logger = logger
        self.group = group
        self.dataDirectory = dataDirectory
        self.socket = socket
        self.debugHTTP = debugHTTP
        self.metricsHTTP = metricsHTTP
        self.peerCache = peerCache
        self.background = background
        self.watches = watches
        self.seeds = SleepingLock(config.bootstrap)
    }

    /// Threads of the daemon's SwiftNIO event loop group, which runs the debug HTTP, metrics and
    /// NAT-probe sockets (the UDP and JSON-RPC sockets have threads of their own,
    /// docs/architecture.md). One per core, at most four.
    static let eventLoopThreads = max(1, min(System.coreCount, 4))

    /// Starts the daemon. Errors name what failed (a file, the socket path, the UDP address);
    /// whatever was already started is stopped again before the error is thrown.
    package static func start(config: DaemonConfig, logger: Logger, inheritedSocketFD: CInt? = nil) async throws -> Daemon {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: eventLoopThreads)
        var cleanup: [@Sendable () async -> Void] = [{ try? await group.shutdownGracefully() }]
        func unwind() async { for step in cleanup.reversed() { await step() } }
        do {
            let dir = try DataDirectory.open(config.dataDir)
            cleanup.append { dir.close() }
            let keyStore = try FileKeyStore.openOrCreate(directory: dir.path)
            let agents = try AgentStore(path: dir.agentsPath, journalPath: dir.agentsJournalPath, logger: logger)
            let publications = try PublicationStore(path: dir.publicationsPath)
            let mailbox = try MailboxLedger(path: dir.mailboxPath)
            let cache = try openPeerCache(dir.peerCachePath, capacity: config.peerCacheSize, logger: logger)

            let (host, port) = try listenAddress(config.listen)
            let udp: UDPTransport
            do {
                udp = try await UDPTransport.bind(host: host, port: port, group: group, logger: logger)
            } catch {
                throw DaemonError("cannot listen on UDP \(config.listen): \(ListenFailure.reason(error))")
            }
            let hub = EventHub(eventNames: NodeEventBridge.eventNames)
            TransportEventBridge.connect(udp, hub: hub)
            let observed = ObservedAddressTracker()
            // Only with `metrics` set: otherwise nothing records latencies or calls (docs/metrics.md).
            let recorder = config.metrics == nil ? nil : MetricsRecorder()
            let clock = SystemClock()
            // The node sends through a log of destinations the NAT prober consults.
            let transport = SendLogTransport(udp, clock: clock)
            let natRef = SleepingLock<NATWatcher?>(nil)
            let healer = PartitionHealer(clock: clock)
            // The node reports pushes to the watch registry, which needs the node to exist:
            // the callback reads the registry once it does (a push needs a watch first).
            let watchesRef = SleepingLock<WatchRegistry?>(nil)
            let node = try DHTNode(config: .init(
                transport: transport, keyStore: keyStore, clock: clock,
                events: NodeEventBridge.events(hub: hub, observed: observed, clock: clock, classify: { reporter, endpoint in
                    natRef.withLock { $0 }?.observed(endpoint, by: reporter)
                }, recovered: { healer.peerRecovered() }, pushed: { record, from in
                    watchesRef.withLock { $0 }?.pushed(record, from: from)
                }),
                maxStoreKeys: config.maxStoreKeys, seenPeersPath: dir.seenPeersPath, logger: logger,
                storeBudget: StoreBudget(maxBytes: config.storeMaxBytes, maxBytesPerSource: config.storeMaxBytesPerSource),
                latencyObserver: recorder))
            try await node.start()
            cleanup.append { await node.close() }
            node.setPassiveRouting(config.passive)
            let nat = NATWatcher(node: node, hub: hub, clock: clock)
            natRef.withLock { $0 = nat }

            let publisher = Publisher(node: node, agents: agents, store: publications, logger: logger)
            // Before anything is republished: no orphan survives a restart (docs/jsonrpc.md,
            // "Configuration and data directory").
            try publisher.dropOrphanPublications()
            // Watches end with their connection, as subscriptions do (docs/jsonrpc.md, "Watches").
            let watches = WatchRegistry(node: node, hub: hub, agents: agents)
            watchesRef.withLock { $0 = watches }
            hub.addCloseObserver { watches.connectionClosed($0) }
            cleanup.append { watches.stopAll() }
            // The status reports the service's connection count, but the service is built from
            // the method table that holds the status: the closure reads it once it exists.
            let serviceRef = SleepingLock<RPCService?>(nil)
            let socketRef = SleepingLock<String>(config.socketPath)
            // The bound address does not change (a failed socket is re-read, never re-bound
            // elsewhere), so it is rendered once rather than on every node.info.
            let listenAddrs = [node.localAddress.description]
            var status = DaemonStatus(
                version: DaemonVersion.string, startedAt: clock.unixSeconds(), socketPath: { socketRef.withLock { $0 } },
                dataDir: dir.path, listenAddrs: { listenAddrs },
                agentCount: { agents.count },
                rpcConnections: { serviceRef.withLock { $0?.connectionCount ?? 0 } },
                rpcSubscriptions: { hub.subscriptionCount }, rpcWatches: { watches.count })
            status.nat = { nat.classifier.verdict }
            let service = RPCService(
                router: MethodTable.build(node: node, observed: observed, status: status, agents: agents, publisher: publisher,
                                          watches: watches, mailbox: mailbox),
                hub: hub,
                limits: RPCLimits(maxInFlightPerConnection: config.maxInFlight), observer: recorder)
            serviceRef.withLock { $0 = service }

            // The cap the open-file limit can hold, so running out of descriptors shows as the
            // clean `overloaded` refusal rather than failing accepts (docs/security.md).
            let budget = try OpenFileBudget.apply(maxConnections: config.maxConnections,
                                                  debugHTTP: config.debugHTTP != nil,
                                                  metrics: config.metrics != nil, logger: logger)
            let maxConnections = budget.maxConnections
            let overCapacity = JSONWriter.write(.object([
                "jsonrpc": "2.0", "id": .null,
                "error": RPCError.app(.overloaded, "too many connections (limit \(maxConnections)); try again later").json,
            ]))
            // The HTTP listeners first: a clash on their address ends the start before the RPC
            // socket accepts anyone, so no client (or systemd) sees a daemon about to exit.
            var debugHTTP: DebugHTTPServer?
            if let debug = config.debugHTTP {
                let (dHost, dPort) = try listenAddress(debug)
                do {
                    debugHTTP = try await DebugHTTPServer.start(node: node, host: dHost, port: dPort, group: group)
                } catch {
                    throw DaemonError("cannot serve debug HTTP on \(debug): \(ListenFailure.reason(error))")
                }
                if let server = debugHTTP { cleanup.append { await server.stop() } }
                logger.info("debug HTTP listening", metadata: ["addr": "\(debug)"])
            }

            var metricsHTTP: MetricsHTTPServer?
            if let address = config.metrics, let recorder {
                let metrics = DaemonMetrics(node: node, status: status, recorder: recorder)
                let server = try await startMetrics(address, group: group, render: metrics.render)
                cleanup.append { await server.stop() }
                metricsHTTP = server
                logger.info("metrics listening", metadata: ["addr": "\(server.boundAddress)"])
            }

            if let fd = inheritedSocketFD, let path = UnixSocketServer.boundPath(ofInherited: fd) {
                socketRef.withLock { $0 = path }
            }
            let socket = try await UnixSocketServer.start(
                options: UnixSocketOptions(path: config.socketPath, mode: config.socketMode, group: config.socketGroup,
                                           maxConnections: maxConnections, maxLineBytes: config.maxLineBytes,
                                           maxOutputBytes: config.maxOutputBytes,
                                           outputStallTimeoutMs: config.outputStallTimeoutMs),
                threads: budget.socketLoops, inheritedFD: inheritedSocketFD, logger: logger, overCapacityLine: overCapacity,
                accept: { peer, sink in
                    if let peer { logger.debug("rpc client connected", metadata: ["peer": "\(peer)"]) }
                    return service.makeSession(sink: sink, peer: peer)
                })
            cleanup.append { await socket.stop() }
            socketRef.withLock { $0 = socket.path }

            let keeper = PeerCacheKeeper(node: node, cache: cache, clock: clock)
            let background = BackgroundTasks()
            let daemon = Daemon(config: config, node: node, service: service, logger: logger, group: group,
                                dataDirectory: dir, socket: socket, debugHTTP: debugHTTP,
                                metricsHTTP: metricsHTTP, peerCache: keeper,
                                background: background, watches: watches)
            daemon.startBackgroundWork(publisher: publisher)
            background.spawn {
                await healer.run(node: node) {
                    logger.info("the network looks healed (peers back, or many new good peers); renewing replica sets")
                }
            }
            daemon.startNATWork(nat: nat, publisher: publisher,
                                prober: NATProber(node: node, clock: clock, sendLog: transport, group: group, logger: logger))
            logger.info("a2ald started", metadata: [
                "address": "\(node.address)", "udp": "\(node.localAddress)", "socket": "\(socket.path)",
                "data_dir": "\(dir.path)",
            ])
            return daemon
        } catch {
            await unwind()
            throw error
        }
    }

    /// Stops serving, flushes the peer cache and the node's state, and releases the data
    /// directory. Safe to call more than once.
    package func shutdown() async {
        guard background.beginShutdown() else { return }
        logger.info("a2ald shutting down")
        await socket.stop()
        watches.stopAll()
        await background.cancelAll()
        do { try peerCache.save() } catch { logger.warning("peer cache not saved", metadata: ["err": "\(error)"]) }
        await debugHTTP?.stop()
        await metricsHTTP?.stop()
        await node.close()
        dataDirectory.close()
        try? await group.shutdownGracefully()
        logger.info("a2ald stopped")
    }

    /// The peer cache only speeds up joining, so a damaged one is set aside (kept for a
    /// post-mortem as `peers.json.damaged`) rather than stopping the daemon.
    static func openPeerCache(_ path: String, capacity: Int, logger: Logger) throws -> PeerCache {
        do {
            return try PeerCache(path: path, capacity: capacity)
        } catch {
            logger.warning("peer cache unreadable; starting with an empty one", metadata: ["err": "\(error)"])
            guard rename(path, path + ".damaged") == 0 else { throw error }
            return try PeerCache(path: path, capacity: capacity)
        }
    }

    /// Splits "host:port" / "[v6]:port" for a listener (port 0 = any free port). The config
    /// loader has already checked the form; this only takes it apart.
    static func listenAddress(_ text: String) throws -> (String, Int) {
        if let problem = HostPort.problem(text, allowPortZero: true) {
            throw DaemonError("listen address \"\(text)\": \(problem)")
        }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else {
            throw DaemonError("listen address \"\(text)\" is not host:port")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, port)
    }
}

/// A start-up failure that is not tied to a file (those are `DataFileError`s).
package struct DaemonError: Error, CustomStringConvertible, Sendable {
    package let description: String
    package init(_ description: String) { self.description = description }
}
