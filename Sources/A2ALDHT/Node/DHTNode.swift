import A2ALCore
import A2ALProtocol
import A2ALThreads
import Logging

/// One participant of the A2AL DHT: identity, routing table, record store, peer health, and
/// the wire handling around them (docs/node-behaviour.md). Transport and clock are injected.
///
/// Concurrency: inbound datagrams are handled synchronously on the transport's delivery thread
/// (decode, verify, update state under one lock, reply) and never wait on the network; slow
/// follow-ups such as the liveness ping of a full bucket's oldest entry run as separate tasks.
public final class DHTNode: Sendable {
    /// Runtime dependencies and settings.
    public struct Config: Sendable {
        public var transport: any Transport
        public var keyStore: any KeyStore
        public var clock: any NodeClock
        public var events: NodeEvents
        /// Record-authority policy the verifier applies (nil = accept any signer; tests).
        public var authority: StoreAuthority?
        /// Distinct keys in the local store; ≤ 0 means the default (100,000).
        public var maxStoreKeys: Int
        /// Record bytes the store may hold, in total and per source network.
        public var storeBudget: StoreBudget
        public var routingLimits: RoutingLimits
        /// File for the seen-peers window; nil disables persistence.
        public var seenPeersPath: String?
        /// Inbound datagrams allowed per source IP (sustained per second, burst); nil disables
        /// the limit (benchmarks, closed test networks).
        public var inboundRateLimit: (perSecond: Double, burst: Double)?
        /// Inbound datagrams from all sources together; nil disables it.
        public var inboundGlobalRateLimit: (perSecond: Double, burst: Double)?
        public var logger: Logger
        /// Which generation's wire behaviour the node shows; `.current` except in simulations.
        public var wireProfile: WireProfile
        /// Told request and lookup latencies (the daemon's metrics); nil records nothing.
        public var latencyObserver: (any DHTLatencyObserver)?
        /// Disjoint paths of a lookup whose caller names none (docs/routing.md §3.13), clamped
        /// to 1...`LookupConstants.maxDisjointPaths`.
        public var lookupDisjointPaths: Int = LookupConstants.defaultDisjointPaths
        /// Disjoint paths of a first-record search (resolve, findRecords) whose caller names
        /// none (docs/routing.md §3.13), clamped like `lookupDisjointPaths`.
        public var firstHitDisjointPaths: Int = LookupConstants.defaultFirstHitDisjointPaths
        /// Whether lookups judge their closest answers for a ring of ground identities and, on
        /// seeing one, store and search outside it too (docs/routing.md §3.14). Off only to
        /// measure what it does.
        public var searchPastRings = true

        public init(transport: any Transport, keyStore: any KeyStore, clock: any NodeClock = SystemClock(),
                    events: NodeEvents = NodeEvents(), authority: StoreAuthority? = DHTNode.referenceAuthority,
                    maxStoreKeys: Int = 0, routingLimits: RoutingLimits = .default, seenPeersPath: String? = nil,
                    inboundRateLimit: (perSecond: Double, burst: Double)? = (NodeConstants.inboundRatePerIP,
                                                                             NodeConstants.inboundBurstPerIP),
                    logger: Logger = DHTNode.silentLogger, wireProfile: WireProfile = .current,
                    storeBudget: StoreBudget = .default,
                    inboundGlobalRateLimit: (perSecond: Double, burst: Double)? = (NodeConstants.inboundRateGlobal,
                                                                                   NodeConstants.inboundBurstGlobal),
                    latencyObserver: (any DHTLatencyObserver)? = nil) {
            self.transport = transport
            self.keyStore = keyStore
            self.clock = clock
            self.events = events
            self.authority = authority
            self.maxStoreKeys = maxStoreKeys
            self.routingLimits = routingLimits
            self.seenPeersPath = seenPeersPath
            self.inboundRateLimit = inboundRateLimit
            self.logger = logger
            self.wireProfile = wireProfile
            self.storeBudget = storeBudget
            self.inboundGlobalRateLimit = inboundGlobalRateLimit
            self.latencyObserver = latencyObserver
        }
    }

    /// What a library part logs to when its caller gives no logger: nothing. Executables make
    /// their loggers once and pass them in (swift-log's guidance for libraries).
    public static let silentLogger = Logger(label: "a2al.silent", factory: { _ in SwiftLogNoOpLogHandler() })

    /// The record-authority policy of docs/protocol.md §4.11 as a store policy.
    public static let referenceAuthority: StoreAuthority = RecordStore.recordAuthority

    public let address: Address
    public let nodeID: NodeID
    let signer: KeyStoreSigner
    let transport: any Transport
    let clock: any NodeClock
    let events: NodeEvents
    let logger: Logger
    let seenPeersPath: String?
    public let wireProfile: WireProfile
    /// Verifies records before they reach the store or a lookup's answer, outside `state`.
    public let verifier: RecordVerifier

    let state: SleepingLock<NodeState>
    let pending = SleepingLock(PendingRPCs())
    /// Replica sets of the records we publish.
    let replication = SleepingLock<[ReplicaKey: ReplicaSet]>([:])
    let counters = NodeCounters()
    let latencyObserver: (any DHTLatencyObserver)?
    /// Disjoint paths of lookups that name none.
    let lookupDisjointPaths: Int
    let firstHitDisjointPaths: Int
    let searchPastRings: Bool
    /// Background workers started by `start`, cancelled by `close`.
    let workers = SleepingLock(WorkerRegistry())

    public init(config: Config) throws(DHTError) {
        let ids = config.keyStore.list()
        guard ids.count == 1, let id = ids.first else {
            throw .identity("keystore must hold exactly one identity (it holds \(ids.count))")
        }
        do {
            signer = try KeyStoreSigner(keyStore: config.keyStore, address: id)
        } catch {
            throw .identity("keystore cannot provide the public key of \(id): \(error)")
        }
        guard Address.ed25519(publicKey: signer.publicKey) == id else {
            throw .identity("identity \(id) is not an Ed25519 (0xA0) address of its key")
        }
        address = id
        nodeID = id.nodeID
        transport = config.transport
        clock = config.clock
        events = config.events
        logger = config.logger
        seenPeersPath = config.seenPeersPath
        wireProfile = config.wireProfile
        latencyObserver = config.latencyObserver
        lookupDisjointPaths = min(max(config.lookupDisjointPaths, 1), LookupConstants.maxDisjointPaths)
        firstHitDisjointPaths = min(max(config.firstHitDisjointPaths, 1), LookupConstants.maxDisjointPaths)
        searchPastRings = config.searchPastRings
        verifier = RecordVerifier(authority: config.authority)

        var seen = SeenPeers(selfID: id.nodeID)
        if let path = config.seenPeersPath {
            do {
                let (loaded, skipped) = try SeenPeers.load(from: path, selfID: id.nodeID, nowUnix: config.clock.unixSeconds())
                seen = loaded
                if skipped > 0 { config.logger.warning("skipped \(skipped) malformed line(s) in \(path)") }
            } catch {
                config.logger.warning("cannot load seen peers: \(error)")
            }
        }
        state = SleepingLock(NodeState(
            routing: RoutingTable(selfID: id.nodeID, limits: config.routingLimits),
            store: RecordStore(maxKeys: config.maxStoreKeys, authority: config.authority, budget: config.storeBudget),
            health: PeerHealthTable(),
            seen: seen,
            dial: DialBook(capacity: NodeConstants.maxDialEntries),
            inboundLimiter: config.inboundRateLimit.map {
                SourceRateLimiter(ratePerSecond: $0.perSecond, burst: $0.burst, maxSources: NodeConstants.maxTrackedSources)
            },
            natEchoLimiter: FixedWindowLimiter(limit: NodeConstants.natEchoLimit, window: NodeConstants.natEchoWindow,
                                               maxSources: NodeConstants.maxTrackedSources),
            globalLimiter: config.inboundGlobalRateLimit.map { GlobalRateLimiter(ratePerSecond: $0.perSecond, burst: $0.burst) },
            generations: PeerGenerationTable(capacity: NodeConstants.maxDialEntries),
            pushLimiter: FixedWindowLimiter(limit: PushConstants.pushesPerSourceLimit, window: PushConstants.pushWindow,
                                            maxSources: NodeConstants.maxTrackedSources)))
    }

    /// The transport address peers reach us at.
    public var localAddress: PeerAddress { transport.localAddress }

    /// Starts receiving and the background workers. Idempotent.
    public func start() async throws(DHTError) {
        let first = state.withLock { s -> Bool in
            if s.started || s.closed { return false }
            s.started = true
            return true
        }
        guard first else { return }
        do {
            try await transport.startBatches { [weak self] batch in
                self?.receive(batch)
            }
        } catch {
            state.withLock { $0.started = false }
            throw .transport(.io("cannot start transport: \(error)"))
        }
        startWorkers()
    }

    /// Stops everything: outstanding requests fail with `.closed`, workers stop, the seen-peers
    /// window is flushed, the transport is closed. Idempotent.
    public func close() async {
        let (wasStarted, first) = state.withLock { s -> (Bool, Bool) in
            defer { s.closed = true }
            return (s.started, !s.closed)
        }
        guard first else { return }
        for w in pending.withLock({ $0.removeAll() }) { w.continuation.resume(throwing: DHTError.closed) }
        let natWaiters = state.withLock { s -> [CheckedContinuation<Bool, Never>] in
            defer { s.natWaiters = [:] }
            return Array(s.natWaiters.values)
        }
        for w in natWaiters { w.resume(returning: false) }
        let tasks = workers.withLock { w -> [Task<Void, Never>] in
            w.closed = true
            defer { w.running = [:] }
            return Array(w.running.values)
        }
        for t in tasks { t.cancel() }
        for t in tasks { await t.value }
        if wasStarted { flushSeenPeers() }
        await transport.close()
    }

    var isClosed: Bool { state.withLock { $0.closed } }
}
