import A2ALCore
import A2ALProtocol
import A2ALSimulation
import A2ALDHT

/// A small network of real honest `DHTNode`s and `AdversaryNode`s on one in-memory network
/// (no latency, real clock), built from the same pieces a2al-sim uses: `SimAddressPlan`,
/// `AdversaryIdentities`, `AdversaryDirectory`, `AdversaryNode.join/announce`.
struct AdversaryTestNetwork {
    let network: MemoryNetwork
    let honest: [DHTNode]
    let keys: [Ed25519.KeyPair]
    let adversaries: [AdversaryNode]
    let directory: AdversaryDirectory

    var adversaryIDs: Set<NodeID> { Set(adversaries.map(\.nodeID)) }

    /// `honest` nodes bootstrapped through node 0, then `adversaries` of `behaviour` created,
    /// started and joined through 3 honest seeds each (eclipse: ground near honest node 0's key).
    static func make(honest h: Int, adversaries a: Int, behaviour: AdversaryBehaviour,
                     victimPrefixBits: Int = 6, seed: UInt64 = 1) async throws -> AdversaryTestNetwork {
        let clock = SystemClock()
        let network = MemoryNetwork(clock: clock, config: .init(seed: seed))
        var nodes: [DHTNode] = []
        var keys: [Ed25519.KeyPair] = []
        for i in 0..<h {
            let kp = Ed25519.KeyPair.generate()
            let store = MemoryKeyStore()
            _ = try store.add(kp)
            let transport = try network.makeTransport(endpoint: SimAddressPlan.honest(i))
            let node = try DHTNode(config: .init(transport: transport, keyStore: store, clock: clock, inboundRateLimit: nil))
            try await node.start()
            nodes.append(node)
            keys.append(kp)
        }
        let victims = behaviour == .eclipse ? [nodes[0].address.nodeID] : []
        let identities = behaviour == .eclipse
            ? AdversaryIdentities.ground(count: a, near: victims, prefixBits: victimPrefixBits, seed: seed)
            : AdversaryIdentities.make(count: a, seed: seed)
        let endpoints = identities.indices.map { SimAddressPlan.endpoint(ofAdversary: $0, behaviour) }
        let directory = AdversaryDirectory(
            adversaries: zip(identities, endpoints).map { NodeInfo(address: $0.address, endpoint: $1) },
            honest: nodes.enumerated().map { NodeInfo(address: $1.address, endpoint: SimAddressPlan.honest($0)) },
            victimKeys: victims, victimPrefixBits: victimPrefixBits)
        var adversaries: [AdversaryNode] = []
        for (identity, endpoint) in zip(identities, endpoints) {
            let node = try AdversaryNode(identity: identity, endpoint: endpoint, behaviour: behaviour,
                                         directory: directory, network: network, clock: clock)
            try await node.start()
            adversaries.append(node)
        }
        let net = AdversaryTestNetwork(network: network, honest: nodes, keys: keys, adversaries: adversaries, directory: directory)
        do {
            for node in nodes.dropFirst() { _ = try await node.bootstrap(addresses: [nodes[0].localAddress]) }
            for (j, adversary) in adversaries.enumerated() {
                let seeds = (0..<3).map { nodes[(j + $0 * 7) % h].localAddress }
                _ = await adversary.join(seeds: seeds)
            }
        } catch {
            await net.close()
            throw error
        }
        return net
    }

    func close() async {
        for a in adversaries { await a.close() }
        for n in honest { await n.close() }
    }
}

/// Runs `body` on a fresh network and awaits its shutdown, also when `body` throws.
func withAdversaryNetwork<T>(honest h: Int, adversaries a: Int, behaviour: AdversaryBehaviour,
                             victimPrefixBits: Int = 6, seed: UInt64 = 1,
                             _ body: (AdversaryTestNetwork) async throws -> T) async throws -> T {
    let net = try await AdversaryTestNetwork.make(honest: h, adversaries: a, behaviour: behaviour,
                                                  victimPrefixBits: victimPrefixBits, seed: seed)
    let result: T
    do {
        result = try await body(net)
    } catch {
        await net.close()
        throw error
    }
    await net.close()
    return result
}
