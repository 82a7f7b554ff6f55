import A2ALCore
import A2ALProtocol

/// One iterative lookup towards `target` (docs/routing.md §3) with a convergence rule:
/// it ends once the K closest candidates seen (failed ones excluded) have all answered, when a
/// record search has its hit, when nothing is left to ask, or at the deadline — instead of
/// asking every peer it ever hears of (docs/deviations.md §4).
///
/// Candidates are asked closest first, up to α at a time; Bad peers only when no Good or
/// Unknown candidate is left to try. Every reported contact is absorbed as hearsay.
struct IterativeLookup {
    enum Mode: Sendable {
        case nodes
        /// FIND_VALUE; stop at `hitThreshold` distinct records (0 = never stop early).
        case records(recType: UInt8, hitThreshold: Int)
    }

    struct Outcome {
        /// The closest nodes that answered, closest first (at most K).
        var nodes: [NodeInfo]
        var records: [VerifiedRecord]
        var queried: Int
        var answered: Int
    }

    private enum State { case pending, inFlight, answered, failed }

    private struct Candidate {
        let peer: LookupPeer
        var state: State
    }

    private struct SlotResult: Sendable {
        let id: NodeID
        /// nil when the peer failed.
        let reply: LookupReply?
    }

    let network: any LookupNetwork
    let target: NodeID
    let mode: Mode
    let deadline: Tick

    private var order: [NodeID] = []              // by distance to target
    private var candidates: [NodeID: Candidate] = [:]
    private var hits: [RecordDedupeKey: VerifiedRecord] = [:]
    private var inFlight = 0
    private var badInFlight = 0
    private var queried = 0
    private var answered = 0

    init(network: any LookupNetwork, target: NodeID, mode: Mode, deadline: Tick) {
        self.network = network
        self.target = target
        self.mode = mode
        self.deadline = deadline
    }

    mutating func run(seeds: [Contact], localRecords: [VerifiedRecord]) async -> Outcome {
        for r in localRecords { hits[RecordDedupeKey(r.record)] = r }
        let seedContacts = seeds.map { LookupContact(id: $0.nodeID, info: $0.nodeInfo, endpoint: $0.endpoint) }
        insert(network.report(hearsay: [], from: nil, admitting: seedContacts))
        let network = self.network, target = self.target, mode = self.mode, deadline = self.deadline
        await withTaskGroup(of: SlotResult?.self) { group in
            group.addTask {
                try? await network.clock.sleep(until: deadline)
                return nil  // the deadline
            }
            while true {
                if hitReached || converged { break }
                for c in nextToAsk() {
                    candidates[c.id]?.state = .inFlight
                    inFlight += 1
                    if c.bad { badInFlight += 1 }
                    queried += 1
                    group.addTask { SlotResult(id: c.id, reply: await network.ask(c, target: target, mode: mode)) }
                }
                if inFlight == 0 { break }
                guard let next = await group.next(), let result = next else { break }
                complete(result)
            }
            group.cancelAll()
        }
        let closest = order.compactMap { id -> NodeInfo? in
            guard let c = candidates[id], c.state == .answered else { return nil }
            return c.peer.info
        }
        return Outcome(nodes: Array(closest.prefix(NodeConstants.k)), records: Array(hits.values),
                       queried: queried, answered: answered)
    }

    // MARK: Candidates

    /// Adds peers the node admitted (dialable, not us, not a hairpin address), each once.
    private mutating func insert(_ peers: [LookupPeer]) {
        for peer in peers where candidates[peer.id] == nil {
            candidates[peer.id] = Candidate(peer: peer, state: .pending)
            let d = peer.id.distance(to: target)
            var lo = 0, hi = order.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if order[mid].distance(to: target) < d { lo = mid + 1 } else { hi = mid }
            }
            order.insert(peer.id, at: lo)
        }
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
    private func nextToAsk() -> [LookupPeer] {
        var out: [LookupPeer] = []
        var slots = width - inFlight
        guard slots > 0 else { return out }
        var anyGoodPending = false
        for id in order {
            guard slots > 0, let c = candidates[id], c.state == .pending, !c.peer.bad else { continue }
            anyGoodPending = true
            out.append(c.peer)
            slots -= 1
        }
        if !anyGoodPending {
            var badSlots = LookupConstants.beta - badInFlight
            for id in order {
                guard badSlots > 0, slots > 0, let c = candidates[id], c.state == .pending, c.peer.bad else { continue }
                out.append(c.peer)
                badSlots -= 1
                slots -= 1
            }
        }
        return out
    }

    private mutating func complete(_ r: SlotResult) {
        inFlight -= 1
        if candidates[r.id]?.peer.bad == true { badInFlight -= 1 }
        guard let reply = r.reply else {
            candidates[r.id]?.state = .failed
            return
        }
        candidates[r.id]?.state = .answered
        answered += 1
        // Every contact is hearsay; the new ones may become candidates. One call, one lock.
        let fresh = reply.nodes.filter { $0.isConsistent && candidates[$0.nodeID] == nil }.map {
            LookupContact(id: $0.nodeID, info: $0, endpoint: $0.endpoint.port == 0 ? nil : $0.endpoint)
        }
        insert(network.report(hearsay: reply.nodes, from: r.id, admitting: fresh))
        for rec in reply.records {
            let k = RecordDedupeKey(rec.record)
            if let old = hits[k], !rec.isNewer(than: old) { continue }
            hits[k] = rec
        }
    }
}
