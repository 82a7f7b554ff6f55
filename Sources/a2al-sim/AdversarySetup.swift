import A2ALCore
import A2ALDHT
import A2ALProtocol
import A2ALSimulation

/// The adversaries of a run beside the honest cluster (docs/benchmarks.md, "Adversaries in the
/// simulator"): fraction F of `--nodes` are adversaries of one behaviour, the rest honest nodes.
struct AdversarySet: Sendable {
    let behaviour: AdversaryBehaviour
    let nodes: [AdversaryNode]
    /// Honest node indices whose record keys an eclipse attack surrounds (empty otherwise).
    let victims: [Int]
    let victimPrefixBits: Int
    /// Seconds spent grinding eclipse identities (0 otherwise).
    let grindSeconds: Double

    /// Record keys an eclipse attack targets: this many honest nodes, chosen from the seed.
    static let eclipseVictims = 8

    /// Leading bits an eclipse identity shares with its victim's key: about log2(N), the prefix
    /// the single closest honest node shares, so each victim's ~F·N/8 adversaries crowd the K
    /// closest places.
    static func eclipsePrefixBits(nodes n: Int) -> Int {
        min(16, max(1, Int.bitWidth - (n - 1).leadingZeroBitCount))
    }

    /// How many of `n` nodes are adversaries at `fraction` (at least 2 honest nodes remain).
    static func count(nodes n: Int, fraction: Double) -> Int {
        max(0, min(n - 2, Int((fraction * Double(n)).rounded(.down))))
    }

    /// Creates and starts `count` adversaries on the cluster's network; identities, eclipse
    /// victims and addresses follow from `seed`.
    static func make(_ cluster: SimCluster, count: Int, behaviour: AdversaryBehaviour, seed: UInt64) async throws -> AdversarySet {
        let h = cluster.nodes.count
        var victims: [Int] = []
        var bits = 0
        let timer = PhaseTimer(cluster.time)
        let identities: [AdversaryIdentities.Identity]
        if behaviour == .eclipse {
            var rng = SplitMix64(seed: seed ^ 0xEC11_95E0_71C7_1A5F)
            victims = Array(Array(0..<h).shuffled(using: &rng).prefix(min(eclipseVictims, h))).sorted()
            bits = eclipsePrefixBits(nodes: h + count)
            identities = AdversaryIdentities.ground(count: count, near: victims.map { cluster.nodes[$0].address.nodeID },
                                                    prefixBits: bits, seed: seed)
        } else {
            identities = AdversaryIdentities.make(count: count, seed: seed)
        }
        let grind = behaviour == .eclipse ? timer.elapsed().wall : 0
        let endpoints = identities.indices.map { SimAddressPlan.endpoint(ofAdversary: $0, behaviour) }
        let directory = AdversaryDirectory(
            adversaries: zip(identities, endpoints).map { NodeInfo(address: $0.address, endpoint: $1) },
            honest: (0..<h).map { NodeInfo(address: cluster.nodes[$0].address, endpoint: SimCluster.endpoint($0)) },
            victimKeys: victims.map { cluster.nodes[$0].address.nodeID }, victimPrefixBits: bits)
        var nodes: [AdversaryNode] = []
        nodes.reserveCapacity(identities.count)
        for (identity, endpoint) in zip(identities, endpoints) {
            let node = try AdversaryNode(identity: identity, endpoint: endpoint, behaviour: behaviour,
                                         directory: directory, network: cluster.network, clock: cluster.clock)
            try await node.start()
            nodes.append(node)
        }
        return AdversarySet(behaviour: behaviour, nodes: nodes, victims: victims, victimPrefixBits: bits, grindSeconds: grind)
    }

    /// Every adversary joins while the honest nodes bootstrap (run this beside `bootstrapAll`):
    /// adversary k waits until honest node k·H/A has joined (`bootstrapAll` joins in index order)
    /// and joins through 3 random honest nodes that already have, so adversaries are as old and as
    /// well known as the honest nodes of their rank, a fraction F of the routing population and
    /// not latecomers that full buckets keep out. Sybils then PING `sybilAnnounces` random honest
    /// nodes each to push into more tables. At most `concurrency` joins at once; choices follow
    /// from `seed`.
    func joinAlongside(_ cluster: SimCluster, concurrency: Int, seed: UInt64,
                       sybilAnnounces: Int = 64) async -> AdversaryNode.JoinOutcome {
        let h = cluster.nodes.count
        var rng = SplitMix64(seed: seed ^ 0x501A_ADFE_0000_0003)
        struct Job: Sendable { let node: AdversaryNode; let rank: Int; let seeds: [PeerAddress]; let announce: [PeerAddress] }
        var total = AdversaryNode.JoinOutcome()
        let announces = behaviour == .sybil ? min(sybilAnnounces, h) : 0
        let count = nodes.count
        await boundedForEach(count, limit: concurrency, prepare: { k -> Job in
            let rank = min(h - 1, k * h / max(count, 1))
            func pick(_ c: Int, below limit: Int) -> [PeerAddress] {
                var picked = Set<Int>()
                while picked.count < min(c, limit) { picked.insert(Int.random(in: 0..<limit, using: &rng)) }
                return picked.sorted().map(cluster.address)
            }
            return Job(node: nodes[k], rank: rank, seeds: pick(3, below: max(rank, min(h, 8))),
                       announce: pick(announces, below: h))
        }, work: { job in
            // Polled on the run's clock: a real-time sleep is invisible to the virtual clock.
            let deadline = cluster.clock.now() + .seconds(300)
            while cluster.nodes[job.rank].routingTableSize == 0, cluster.clock.now() < deadline {
                try? await cluster.clock.sleep(for: .milliseconds(50))
            }
            var outcome = await job.node.join(seeds: job.seeds)
            if !job.announce.isEmpty { outcome.announced = await job.node.announce(to: job.announce) }
            return outcome
        }, finish: { o in
            total.queried += o.queried
            total.answered += o.answered
            total.announced += o.announced
        })
        return total
    }
}
