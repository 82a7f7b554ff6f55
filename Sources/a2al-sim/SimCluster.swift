import A2ALCore
import A2ALDHT
import A2ALProtocol
import A2ALSimulation
import Logging

/// N nodes on one in-memory network, each with its own Ed25519 identity and a synthetic
/// `11.a.b.1:4000` endpoint in a /24 of its own (`SimAddressPlan.honest`).
final class SimCluster: Sendable {
    /// The nodes' and the network's clock (`time.node`).
    let clock: any NodeClock
    let time: SimClock
    let network: MemoryNetwork
    let nodes: [DHTNode]
    let keys: [Ed25519.KeyPair]
    /// The wire profile node `i` runs (all `.current` unless reference fractions were given).
    let profiles: [WireProfile]

    /// The endpoint of node `i`: a public-looking /24 of its own, so the routing table's
    /// per-/24 Sybil limits apply as on the Internet (docs/benchmarks.md, "Adversaries in the simulator").
    static func endpoint(_ i: Int) -> WireEndpoint { SimAddressPlan.honest(i) }

    /// Creates the nodes (not started). Nodes and network share `time`'s clock: on the virtual
    /// clock the executor moves it, on the real one nothing needs driving.
    init(options: SimOptions, time: SimClock, logger: Logger) throws {
        self.time = time
        clock = time.node
        network = MemoryNetwork(clock: clock, config: .init(
            oneWayLatency: .microseconds(Int64((options.latencyMs * 1000).rounded())),
            jitter: .microseconds(Int64((options.jitterMs * 1000).rounded())),
            lossRate: options.loss, seed: options.seed))
        let profiles = assignProfiles(count: options.nodes, legacyFraction: options.legacyFraction,
                                      go029Fraction: options.go029Fraction, seed: options.seed)
        var nodes: [DHTNode] = []
        var keys: [Ed25519.KeyPair] = []
        nodes.reserveCapacity(options.nodes)
        keys.reserveCapacity(options.nodes)
        for i in 0..<options.nodes {
            let kp = Ed25519.KeyPair.generate()
            let store = MemoryKeyStore()
            _ = try store.add(kp)
            let transport = try network.makeTransport(endpoint: Self.endpoint(i))
            // No inbound rate limit: in a simulation every peer shares one scheduler, and a
            // per-IP limiter would only measure the simulator's burstiness.
            var config = DHTNode.Config(transport: transport, keyStore: store, clock: clock,
                                        routingLimits: .default, inboundRateLimit: nil,
                                        logger: logger, wireProfile: profiles[i])
            config.searchPastRings = options.searchPastRings
            nodes.append(try DHTNode(config: config))
            keys.append(kp)
        }
        self.nodes = nodes
        self.keys = keys
        self.profiles = profiles
    }

    /// Starts node i at i/N of `spread`: nodes started in one burst run their periodic
    /// maintenance in lockstep forever after, which turns every pass into a network-wide storm.
    func startAll(spread: Duration) async throws {
        let begin = clock.now()
        for (i, n) in nodes.enumerated() {
            if spread > .zero {
                let due = begin + spread * (Double(i) / Double(nodes.count))
                if due > clock.now() { try await clock.sleep(until: due) }
            }
            try await n.start()
        }
    }

    func address(_ i: Int) -> PeerAddress { nodes[i].localAddress }

    /// The endpoint string node `i` publishes, so a resolve can be checked for the right answer.
    static func publishedEndpoint(_ i: Int) -> String { "quic://\(endpoint(i).ip):4433" }
}

/// Runs `work` for `count` items with at most `limit` in flight. `prepare` runs on the caller
/// just before each launch and `finish` after each completion, so they may read and update the
/// caller's state (for example the list of already-joined nodes) without locks.
func boundedForEach<Input: Sendable, Output: Sendable>(
    _ count: Int, limit: Int, prepare: (Int) -> Input,
    work: @escaping @Sendable (Input) async -> Output, finish: (Output) -> Void
) async {
    await withTaskGroup(of: Output.self) { group in
        var next = 0
        var inFlight = 0
        while next < count || inFlight > 0 {
            while inFlight < limit && next < count {
                let input = prepare(next)
                group.addTask { await work(input) }
                next += 1
                inFlight += 1
            }
            guard let out = await group.next() else { break }
            inFlight -= 1
            finish(out)
        }
    }
}
