import A2ALCore
import A2ALDHT
import A2ALProtocol
import Synchronization

/// A hostile participant of a simulated network (docs/benchmarks.md, "Adversaries in the
/// simulator"). It speaks the real wire protocol through a `MemoryTransport` with its own Ed25519
/// key: every message it sends is signed and passes verification, so honest nodes admit it as
/// any other peer; only what it answers follows its `behaviour`. It is not a `DHTNode`: no
/// production code path carries an adversary switch.
public final class AdversaryNode: Sendable {
    /// What an adversary has done, for reports and tests.
    public struct Counters: Sendable, Equatable {
        /// Verified requests that reached it (answered or not).
        public var requestsReceived = 0
        /// Replies it sent.
        public var repliesSent = 0
        /// Requests it sent itself (joining, announcing).
        public var requestsSent = 0
        /// STOREs of a newer version it acknowledged and threw away (`stale`).
        public var newerRefused = 0
        /// Requests from the node named by `watchRequests(from:)` (tests).
        public var requestsFromWatched = 0
    }

    /// A kept record's slot: the same publisher's record of one type at one key.
    struct Slot: Hashable {
        let key: NodeID
        let publisher: Address
        let recType: UInt8
    }

    struct State {
        var silent = false
        var counters = Counters()
        var watched: NodeID?
        var kept: [Slot: SignedRecord] = [:]
        var pending: [[UInt8]: CheckedContinuation<Packet?, Never>] = [:]
    }

    /// Most records a `stale` adversary keeps: it only receives those whose keys are near it.
    static let maxKeptRecords = 10_000

    public let behaviour: AdversaryBehaviour
    public let identity: AdversaryIdentities.Identity
    public let endpoint: WireEndpoint
    let directory: AdversaryDirectory
    let transport: MemoryTransport
    let clock: any NodeClock
    private let state = Mutex(State())

    public var address: Address { identity.address }
    public var nodeID: NodeID { identity.nodeID }
    public var info: NodeInfo { NodeInfo(address: address, endpoint: endpoint) }
    public var peerAddress: PeerAddress { transport.localAddress }
    public var counters: Counters { state.withLock { $0.counters } }

    /// Counts, from now on, the requests that come from `id` alone (`Counters.requestsFromWatched`):
    /// a test's question "did that node ask me?" with other nodes about.
    public func watchRequests(from id: NodeID) {
        state.withLock { s in
            s.watched = id
            s.counters.requestsFromWatched = 0
        }
    }

    public init(identity: AdversaryIdentities.Identity, endpoint: WireEndpoint, behaviour: AdversaryBehaviour,
                directory: AdversaryDirectory, network: MemoryNetwork, clock: any NodeClock) throws {
        self.identity = identity
        self.endpoint = endpoint
        self.behaviour = behaviour
        self.directory = directory
        self.clock = clock
        transport = try network.makeTransport(endpoint: endpoint)
    }

    public func start() async throws {
        try await transport.start { [weak self] datagram, from in self?.receive(datagram, from: from) }
    }

    /// Stops answering and fails every request still waiting.
    public func close() async {
        await transport.close()
        let waiting = state.withLock { s -> [CheckedContinuation<Packet?, Never>] in
            defer { s.pending.removeAll() }
            return Array(s.pending.values)
        }
        for w in waiting { w.resume(returning: nil) }
    }

    /// From now on nothing is answered (`drop` goes silent once the network has joined).
    public func goSilent() { state.withLock { $0.silent = true } }

    /// The record a `stale` adversary keeps in `publisher`'s slot at `key`, if any.
    public func keptRecord(at key: NodeID, publisher: Address, recType: UInt8) -> SignedRecord? {
        state.withLock { $0.kept[Slot(key: key, publisher: publisher, recType: recType)] }
    }

    // MARK: Inbound

    func receive(_ datagram: [UInt8], from: PeerAddress) {
        guard let packet = try? Packet.decode(datagram) else { return }
        switch packet.body {
        case .pong, .findNodeResp, .findValueResp, .storeResp, .dhtPushAck:
            finish(packet.txID, with: packet)
            return
        default:
            break
        }
        let silent = state.withLock { s -> Bool in
            s.counters.requestsReceived += 1
            if s.watched == packet.senderAddress.nodeID { s.counters.requestsFromWatched += 1 }
            return s.silent
        }
        guard !silent, let body = answer(packet, from: from) else { return }
        if send(body, txID: packet.txID, to: from) { state.withLock { $0.counters.repliesSent += 1 } }
    }

    /// The reply to a verified request, or nil for messages it ignores.
    func answer(_ packet: Packet, from: PeerAddress) -> MessageBody? {
        let observed = from.udp ?? .unknown
        let requester = packet.senderAddress.nodeID
        switch packet.body {
        case .ping:
            return .pong(Pong(address: address, observed: observed))
        case .findNode(let req):
            return .findNodeResp(FindNodeResp(nodes: contacts(near: req.target, for: requester), observed: observed))
        case .findValue(let req):
            let records = behaviour == .stale ? kept(at: req.target, recType: req.recType) : []
            return .findValueResp(FindValueResp(nodes: contacts(near: req.target, for: requester), record: nil,
                                                observed: observed, records: records))
        case .store(let req):
            if behaviour == .stale { keep(req) }
            // Always "stored": the publisher counts a replica that is useless or out of date.
            return .storeResp(StoreResp(stored: true))
        default:
            return nil
        }
    }

    /// The contacts it hands out for `target`: colluders when it lies about the target, else the
    /// truly closest nodes of the network; never the requester or itself.
    func contacts(near target: NodeID, for requester: NodeID) -> [NodeInfo] {
        let k = NodeConstants.k
        let lying = behaviour.liesAbout(directory.isNearVictim(target))
        let pool = lying ? directory.closestAdversaries(to: target, count: k + 2)
                         : directory.closestOfAll(to: target, count: k + 2)
        return Array(pool.lazy.filter { $0.nodeID != requester && $0.nodeID != self.nodeID }.prefix(k))
    }

    /// `stale`: the first version of a slot stays; a newer one is acknowledged and dropped.
    func keep(_ req: Store) {
        let slot = Slot(key: req.effectiveKey, publisher: req.record.address, recType: req.record.recType)
        state.withLock { s in
            if let old = s.kept[slot] {
                if req.record.seq > old.seq { s.counters.newerRefused += 1 }
            } else if s.kept.count < Self.maxKeptRecords {
                s.kept[slot] = req.record
            }
        }
    }

    func kept(at key: NodeID, recType: UInt8) -> [SignedRecord] {
        state.withLock { s in s.kept.filter { $0.key.key == key && (recType == 0 || $0.key.recType == recType) }.map(\.value) }
    }

    // MARK: Outbound

    /// Signs and sends `body`, dropping contacts from the end until the datagram fits (as honest
    /// nodes trim their answers). False when nothing could be sent.
    @discardableResult
    func send(_ body: MessageBody, txID: [UInt8], to destination: PeerAddress) -> Bool {
        var body = body
        while true {
            do {
                let datagram = try Packet.encode(body: body, txID: txID, signer: identity.keyPair)
                try transport.send(datagram, to: destination)
                return true
            } catch PacketError.oversize {
                guard let shorter = body.droppingLastContact() else { return false }
                body = shorter
            } catch {
                return false
            }
        }
    }

    /// Sends a request and waits for the reply with its tx_id, or nil after `timeout`.
    public func request(_ body: MessageBody, to destination: PeerAddress,
                        timeout: Duration = NodeConstants.rpcAttemptTimeout) async -> Packet? {
        let txID = Header.randomTxID()
        let clock = self.clock
        return await withCheckedContinuation { (c: CheckedContinuation<Packet?, Never>) in
            state.withLock {
                $0.pending[txID] = c
                $0.counters.requestsSent += 1
            }
            guard send(body, txID: txID, to: destination) else { return finish(txID, with: nil) }
            Task { [weak self] in
                try? await clock.sleep(for: timeout)
                self?.finish(txID, with: nil)
            }
        }
    }

    private func finish(_ txID: [UInt8], with packet: Packet?) {
        state.withLock { $0.pending.removeValue(forKey: txID) }?.resume(returning: packet)
    }
}

extension MessageBody {
    /// The same answer with one contact fewer, or nil when there is none left to drop.
    func droppingLastContact() -> MessageBody? {
        switch self {
        case .findNodeResp(var r):
            guard var nodes = r.nodes, !nodes.isEmpty else { return nil }
            nodes.removeLast()
            r.nodes = nodes
            return .findNodeResp(r)
        case .findValueResp(var r):
            guard var nodes = r.nodes, !nodes.isEmpty else { return nil }
            nodes.removeLast()
            r.nodes = nodes
            return .findValueResp(r)
        default:
            return nil
        }
    }
}
