import A2ALCore
import A2ALProtocol

/// One iterative lookup towards `target` (query-store-routing.md §3) with a convergence rule:
/// it ends once the K closest candidates seen (failed ones excluded) have all answered, when a
/// record search has its hit, when nothing is left to ask, or at the deadline — instead of
/// asking every peer it ever hears of (design.md deviation 4).
///
/// Candidates are asked closest first, up to α at a time; Bad peers only when no Good or
/// Unknown candidate is left to try. Every reported contact is absorbed as hearsay.
struct IterativeLookup {
    enum Mode {
        case nodes
        /// FIND_VALUE; stop at `hitThreshold` distinct records (0 = never stop early).
        case records(recType: UInt8, hitThreshold: Int)
    }

    struct Outcome {
        /// The closest nodes that answered, closest first (at most K).
        var nodes: [NodeInfo]
        var records: [SignedRecord]
        var queried: Int
        var answered: Int
    }

    private enum State { case pending, inFlight, answered, failed }

    private struct Candidate {
        let id: NodeID
        let info: NodeInfo?
        let address: PeerAddress
        let bad: Bool
        var state: State
    }

    private struct SlotResult: Sendable {
        let id: NodeID
        let nodes: [NodeInfo]?
        let records: [SignedRecord]
    }

    let node: DHTNode
    let target: NodeID
    let mode: Mode
    let deadline: Tick

    private var order: [NodeID] = []              // by distance to target
    private var candidates: [NodeID: Candidate] = [:]
    private var hits: [RecordDedupeKey: SignedRecord] = [:]
    private var inFlight = 0
    private var badInFlight = 0
    private var queried = 0
    private var answered = 0

    init(node: DHTNode, target: NodeID, mode: Mode, deadline: Tick) {
        self.node = node
        self.target = target
        self.mode = mode
        self.deadline = deadline
    }

    mutating func run(seeds: [Contact], localRecords: [SignedRecord]) async -> Outcome {
        for r in localRecords { hits[RecordDedupeKey(r)] = r }
        for c in seeds { admit(c.nodeID, info: c.nodeInfo, endpoint: c.endpoint) }
        let node = self.node, target = self.target, mode = self.mode, deadline = self.deadline
        await withTaskGroup(of: SlotResult?.self) { group in
            group.addTask {
                try? await node.clock.sleep(until: deadline)
                return nil  // the deadline
            }
            while true {
                if hitReached || converged { break }
                for c in nextToAsk() {
                    candidates[c.id]?.state = .inFlight
                    inFlight += 1
                    if c.bad { badInFlight += 1 }
                    queried += 1
                    group.addTask { await Self.ask(node, c.address, c.id, target, mode) }
                }
                if inFlight == 0 { break }
                guard let next = await group.next(), let result = next else { break }
                complete(result)
            }
            group.cancelAll()
        }
        let closest = order.compactMap { id -> NodeInfo? in
            guard let c = candidates[id], c.state == .answered else { return nil }
            return c.info
        }
        return Outcome(nodes: Array(closest.prefix(NodeConstants.k)), records: Array(hits.values),
                       queried: queried, answered: answered)
    }

    // MARK: Candidates

    /// Adds a candidate once, if we can dial it and it is not us or a hairpin address.
    private mutating func admit(_ id: NodeID, info: NodeInfo?, endpoint: WireEndpoint?) {
        guard id != node.nodeID, candidates[id] == nil else { return }
        guard let address = node.dialAddress(of: id) ?? endpoint.map({ PeerAddress.udp($0) }) else { return }
        if node.isHairpin(address) {
            node.noteSameNATPeer(id)
            return
        }
        let bad = node.peerHealth(id) == .bad
        candidates[id] = Candidate(id: id, info: info, address: address, bad: bad, state: .pending)
        let d = id.distance(to: target)
        var lo = 0, hi = order.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if order[mid].distance(to: target) < d { lo = mid + 1 } else { hi = mid }
        }
        order.insert(id, at: lo)
    }

    /// The K closest candidates that have not failed have all answered.
    private var converged: Bool {
        var seen = 0
        for id in order {
            guard let c = candidates[id] else { continue }
            if c.state == .failed { continue }
            if c.state != .answered { return false }
            seen += 1
            if seen == NodeConstants.k { return true }
        }
        // Fewer than K live candidates: the loop ends when nothing is left to ask.
        return false
    }

    /// Good/Unknown RPCs in flight at once.
    private var width: Int {
        if case .records(_, let threshold) = mode, threshold > 0 { return LookupConstants.firstHitAlpha }
        return LookupConstants.alpha
    }

    private var hitReached: Bool {
        if case .records(_, let threshold) = mode, threshold > 0 { return hits.count >= threshold }
        return false
    }

    /// Closest pending candidates to launch now: Good/Unknown first (up to α in flight); Bad
    /// ones only when no other candidate is pending (up to β).
    private func nextToAsk() -> [Candidate] {
        var out: [Candidate] = []
        var slots = width - inFlight
        guard slots > 0 else { return out }
        var anyGoodPending = false
        for id in order {
            guard slots > 0, let c = candidates[id], c.state == .pending, !c.bad else { continue }
            anyGoodPending = true
            out.append(c)
            slots -= 1
        }
        if !anyGoodPending {
            var badSlots = LookupConstants.beta - badInFlight
            for id in order {
                guard badSlots > 0, slots > 0, let c = candidates[id], c.state == .pending, c.bad else { continue }
                out.append(c)
                badSlots -= 1
                slots -= 1
            }
        }
        return out
    }

    private mutating func complete(_ r: SlotResult) {
        inFlight -= 1
        if candidates[r.id]?.bad == true { badInFlight -= 1 }
        guard let nodes = r.nodes else {
            candidates[r.id]?.state = .failed
            return
        }
        candidates[r.id]?.state = .answered
        answered += 1
        for n in nodes {
            node.absorb(n, learnedFrom: r.id)
            if n.isConsistent { admit(n.nodeID, info: n, endpoint: n.endpoint.port == 0 ? nil : n.endpoint) }
        }
        guard case .records = mode, !r.records.isEmpty else { return }
        let now = node.clock.unixSeconds()
        for rec in r.records where node.acceptsFromLookup(rec, key: target, now: now) {
            let k = RecordDedupeKey(rec)
            if let old = hits[k], !rec.isNewer(than: old) { continue }
            hits[k] = rec
        }
    }

    /// One RPC (single attempt); nil nodes means the peer failed. The deadline adapts to the
    /// peer's last round trip when we have one.
    private static func ask(_ node: DHTNode, _ address: PeerAddress, _ id: NodeID, _ target: NodeID,
                            _ mode: Mode) async -> SlotResult {
        let timeout = node.lookupTimeout(for: id)
        do {
            switch mode {
            case .nodes:
                let nodes = try await node.findNode(at: address, expectedID: id, lookingFor: target,
                                                    timeout: timeout, attempts: 1)
                return SlotResult(id: id, nodes: nodes, records: [])
            case .records(let recType, let threshold):
                let r = try await node.findValue(at: address, expectedID: id, key: target, recType: recType,
                                                 timeout: timeout, attempts: 1)
                guard threshold == 0, r.records.count > 1 else {
                    return SlotResult(id: id, nodes: r.nodes, records: r.records)
                }
                // Aggregating: a holder with more records than fit one answer pages through
                // them on repeated requests; ask again while new records keep coming.
                var all = r.records
                var seen = Set(r.records.map(RecordDedupeKey.init))
                for _ in 1..<LookupConstants.maxPagesPerPeer {
                    guard let page = try? await node.findValue(at: address, expectedID: id, key: target, recType: recType,
                                                               timeout: timeout, attempts: 1) else { break }
                    let fresh = page.records.filter { seen.insert(RecordDedupeKey($0)).inserted }
                    if fresh.isEmpty { break }
                    all += fresh
                }
                return SlotResult(id: id, nodes: r.nodes, records: all)
            }
        } catch {
            return SlotResult(id: id, nodes: nil, records: [])
        }
    }
}
