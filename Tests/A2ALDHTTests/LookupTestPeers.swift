import A2ALCore
import A2ALProtocol
import A2ALSimulation
import Synchronization
@testable import A2ALDHT

/// A peer on the in-memory network that ignores its first `dropFirst` FIND_NODE/FIND_VALUE
/// requests (a lost datagram, or a silent peer with `Int.max`) and answers the rest with
/// `contacts` and `records`. PINGs are always answered, so the querier measures its RTT.
final class LossyPeer: Sendable {
    let transport: MemoryTransport
    let key = Ed25519.KeyPair.generate()
    final class Log: Sendable { let txIDs = Mutex<[[UInt8]]>([]) }

    /// Transaction ids of every FIND_* request received, answered or not.
    let requests = Log()

    init(_ network: MemoryNetwork, ip: UInt32, dropFirst: Int, contacts: [NodeInfo] = [],
         records: [SignedRecord] = []) async throws {
        transport = try network.makeTransport(endpoint: WireEndpoint(ip: IPAddress(ipv4: ip), port: 4000))
        let key = self.key, requests = self.requests
        // Weak: the transport holds this handler, so a strong capture would keep both alive.
        try await transport.start { [weak transport] datagram, from in
            guard let p = try? Packet.decode(datagram) else { return }
            let observed = from.udp ?? .unknown
            let body: MessageBody
            switch p.body {
            case .ping:
                body = .pong(Pong(address: key.address, observed: observed))
            case .findNode, .findValue:
                let seen = requests.txIDs.withLock { r -> Int in
                    r.append(p.txID)
                    return r.count
                }
                guard seen > dropFirst else { return }
                if case .findNode = p.body {
                    body = .findNodeResp(FindNodeResp(nodes: contacts, observed: observed))
                } else {
                    body = .findValueResp(FindValueResp(nodes: contacts, record: nil, observed: observed, records: records))
                }
            default: return
            }
            guard let reply = try? Packet.encode(body: body, txID: p.txID, signer: key) else { return }
            try? transport?.send(reply, to: from)
        }
    }

    var address: PeerAddress { transport.localAddress }
    var nodeID: NodeID { key.address.nodeID }
    var info: NodeInfo? { transport.localAddress.udp.map { NodeInfo(address: key.address, endpoint: $0) } }
    var requestCount: Int { requests.txIDs.withLock { $0.count } }
    var distinctRequestIDs: Int { requests.txIDs.withLock { Set($0.map(TxKey.init)).count } }
}

/// A scripted `LookupNetwork` without sockets: each node answers from a table, honest ones
/// after `honestDelay`, liars at once. Counts every RPC per node.
final class ScriptedLookupNetwork: LookupNetwork, Sendable {
    struct Node: Sendable {
        var contacts: [NodeInfo]
        var records: [VerifiedRecord] = []
        var liar = false
        /// This node's answer delay, instead of the network's `honestDelay`.
        var delay: Duration? = nil
    }

    let clock: any NodeClock = SystemClock()
    let nodes: [NodeID: Node]
    let honestDelay: Duration
    /// Every peer's attempt deadline, as if measured from its round trips.
    let attemptTimeout: Duration
    let asked = Mutex<[NodeID: Int]>([:])

    init(nodes: [NodeID: Node], honestDelay: Duration = .zero, attemptTimeout: Duration = .seconds(1)) {
        self.nodes = nodes
        self.honestDelay = honestDelay
        self.attemptTimeout = attemptTimeout
    }

    func report(hearsay: [NodeInfo], from reporter: NodeID?, admitting: [LookupContact]) -> [LookupPeer] {
        admitting.compactMap { c in
            guard let endpoint = c.endpoint ?? c.info?.endpoint else { return nil }
            return LookupPeer(id: c.id, info: c.info, address: .udp(endpoint), bad: false, attemptTimeout: attemptTimeout)
        }
    }

    func ask(_ peer: LookupPeer, target: NodeID, mode: IterativeLookup.Mode) async -> LookupReply? {
        asked.withLock { $0[peer.id, default: 0] += 1 }
        guard let node = nodes[peer.id] else { return nil }
        if node.liar { return LookupReply(nodes: node.contacts, records: []) }
        let delay = node.delay ?? honestDelay
        if delay > .zero { try? await clock.sleep(until: clock.now() + delay) }
        if case .records = mode { return LookupReply(nodes: node.contacts, records: node.records) }
        return LookupReply(nodes: node.contacts, records: [])
    }

    var maxAsksOfOneNode: Int { asked.withLock { $0.values.max() ?? 0 } }
}

/// A NodeInfo at a synthetic address for scripted networks.
func scriptedInfo(_ i: Int) -> NodeInfo {
    NodeInfo(address: Ed25519.KeyPair.generate().address,
             endpoint: WireEndpoint(ip: IPAddress(ipv4: 0x0a30_0000 + UInt32(i)), port: 4000))
}

/// `infos` closest to `target` first.
func byDistance(_ infos: [NodeInfo], to target: NodeID) -> [NodeInfo] {
    infos.sorted { target.isCloser($0.nodeID, than: $1.nodeID) }
}

/// An endpoint record of `owner`, verified at its own key.
func verifiedEndpointRecord(_ owner: Ed25519.KeyPair) throws -> VerifiedRecord {
    let now = SystemClock().unixSeconds()
    return try RecordVerifier(authority: nil).verify(endpointRecord(owner, now: now), at: owner.address.nodeID, now: now)
}

/// `liarCount` liars closest to a key answer with one another and never with the record; the
/// holder sits right behind them, known only to an honest seed farther out (`nodes` in all).
struct LiarRing {
    let target: NodeID
    let record: VerifiedRecord
    let liars: [NodeInfo]
    let holder: NodeInfo
    let honestSeed: NodeInfo
    let table: [NodeID: ScriptedLookupNetwork.Node]

    init(nodes: Int, liarCount: Int, honestSeedRank: Int) throws {
        let owner = Ed25519.KeyPair.generate()
        let target = owner.address.nodeID
        let record = try verifiedEndpointRecord(owner)
        let infos = byDistance((0..<nodes).map(scriptedInfo), to: target)
        liars = Array(infos.prefix(liarCount))
        holder = infos[liarCount]
        honestSeed = infos[honestSeedRank]
        var table: [NodeID: ScriptedLookupNetwork.Node] = [:]
        for l in liars { table[l.nodeID] = .init(contacts: liars, liar: true) }
        table[honestSeed.nodeID] = .init(contacts: [holder])
        table[holder.nodeID] = .init(contacts: [], records: [record])
        self.target = target
        self.record = record
        self.table = table
    }
}
