import A2ALCore
import A2ALProtocol

/// One iterative lookup towards `target` (docs/routing.md §3) with a convergence rule:
/// it ends once the K closest candidates seen (failed ones excluded; K + 8 in a first-record
/// search) have all answered, when a record search has its hit (and the answers already on
/// their way), when nothing is left to ask, or at the deadline — instead of asking every peer
/// it ever hears of (docs/deviations.md §4).
///
/// Candidates are asked closest first, up to α at a time; Bad peers only when no Good or
/// Unknown candidate is left to try. Every reported contact is absorbed as hearsay. A candidate
/// whose first request is late (past its attempt deadline) is hedged by the RPC layer and
/// frees its slot here, so one lost datagram never stalls the walk. In a node lookup, one whose
/// every hedge went unanswered turns overdue and no longer holds convergence (docs/routing.md §3.8).
///
/// With d > 1 the lookup runs d disjoint paths (S/Kademlia; docs/routing.md §3.13): the seeds
/// are dealt out among them, a contact belongs to the path that first heard of it, so no node
/// is asked by two paths, and each path converges on its own; the results are merged. In a
/// first-record search a path waits once for a closer request of another path (`deferral`).
struct IterativeLookup {
    enum Mode: Sendable {
        case nodes
        /// FIND_VALUE; stop at `hitThreshold` distinct records (0 = never stop early).
        case records(recType: UInt8, hitThreshold: Int)
    }

    struct Outcome {
        /// The closest nodes that answered on any path, closest first (at most K).
        var nodes: [NodeInfo]
        var records: [VerifiedRecord]
        var queried: Int
        var answered: Int
    }

    /// `overdue` (node lookups only): every hedge is out, the last one's deadline has passed and
    /// the lookup has waited at least `LookupConstants.minOverdueWait`; the RPC stays open (a
    /// slow peer's answer still counts) but convergence no longer waits for it.
    private enum State { case pending, inFlight, late, overdue, answered, failed }

    private struct Candidate {
        let peer: LookupPeer
        let path: Int
        var state: State
        /// When its first request turns late (and the RPC layer sends a hedge).
        var lateAt: Tick?
    }

    /// What a lookup's task group reports.
    private enum Event: Sendable {
        /// nil when the peer failed.
        case reply(NodeID, LookupReply?)
        /// The candidate gives up its slot: its first request passed its attempt deadline (one
        /// deadline more in a multi-path first-record search, `slotHeldPastHedge`).
        case late(NodeID)
        /// The candidate's last hedge passed its attempt deadline too (node lookups only).
        case overdue(NodeID)
        case deadline
        /// A search with its record stops waiting for the answers still on their way.
        case drained
        /// A request a path deferred to reached its attempt deadline.
        case deferralOver
    }

    /// One path's RPC accounting.
    private struct Lane {
        /// RPCs holding a slot: in flight and not yet late.
        var inFlight = 0
        var badInFlight = 0
        /// RPCs not yet finished, late ones included.
        var outstanding = 0
        /// Requests this path has sent.
        var launched = 0
        /// The closer request on another path this path waits for, if it waits (first-record
        /// searches over several paths; `deferral(of:before:)`).
        var deferredTo: NodeID?
        /// A path waits for another path's request at most once.
        var deferralUsed = false
    }

    let network: any LookupNetwork
    let target: NodeID
    let mode: Mode
    let deadline: Tick
    /// Disjoint paths, within 1...LookupConstants.maxDisjointPaths.
    let paths: Int
    /// Rings of ground identities the lookup neither asks nor counts among the closest
    /// (docs/routing.md §3.14): it walks to the closest nodes outside them.
    let excluded: [EclipseRing]

    private var order: [NodeID] = []              // by distance to target
    private var candidates: [NodeID: Candidate] = [:]
    private var hits: [RecordDedupeKey: VerifiedRecord] = [:]
    private var lanes: [Lane]
    private var queried = 0
    private var answered = 0

    init(network: any LookupNetwork, target: NodeID, mode: Mode, deadline: Tick, paths: Int = 1,
         excluding rings: [EclipseRing] = []) {
        self.network = network
        self.target = target
        self.mode = mode
        self.deadline = deadline
        self.paths = min(max(paths, 1), LookupConstants.maxDisjointPaths)
        excluded = rings
        lanes = Array(repeating: Lane(), count: self.paths)
    }

    mutating func run(seeds: [Contact], localRecords: [VerifiedRecord]) async -> Outcome {
        for r in localRecords { hits[RecordDedupeKey(r.record)] = r }
        let seedContacts = seeds.map { LookupContact(id: $0.nodeID, info: $0.nodeInfo, endpoint: $0.endpoint) }
        // Seeds are dealt out closest first, so every path starts near the target.
        let seedTarget = self.target
        let admitted = network.report(hearsay: [], from: nil, admitting: seedContacts)
            .sorted { $0.id.distance(to: seedTarget) < $1.id.distance(to: seedTarget) }
        for (i, peer) in admitted.enumerated() { insert([peer], path: i % paths) }
        let network = self.network, target = self.target, mode = self.mode, deadline = self.deadline
        let clock = network.clock
        var drainTimerStarted = false
        await withTaskGroup(of: Event.self) { group in
            group.addTask {
                try? await clock.sleep(until: deadline)
                return .deadline
            }
            walk: while true {
                // A search that has its record takes the answers already on their way and asks no
                // one new: their records cost no packet more, and the newest of them wins (a
                // stale holder's answer is not the last word; docs/routing.md §3.8).
                let draining = hitReached
                if draining && lanes.allSatisfy({ $0.inFlight == 0 }) { break }
                // It waits until just before the first of them would be hedged: a hedge would be
                // a packet more for an answer the search no longer needs.
                if draining, !drainTimerStarted,
                   let first = candidates.values.filter({ $0.state == .inFlight }).compactMap(\.lateAt).min() {
                    let until = first - .milliseconds(1)
                    drainTimerStarted = true
                    group.addTask {
                        try? await clock.sleep(until: until)
                        return .drained
                    }
                }
                for path in 0..<paths where !draining && !converged(path) {
                    let next = nextToAsk(path)
                    guard let first = next.first else { continue }
                    if let wait = deferral(of: path, before: first) {
                        if lanes[path].deferredTo == nil {
                            lanes[path].deferredTo = wait.id
                            group.addTask {
                                try? await clock.sleep(until: wait.until)
                                return .deferralOver
                            }
                        }
                        continue
                    }
                    if lanes[path].deferredTo != nil {
                        lanes[path].deferredTo = nil
                        lanes[path].deferralUsed = true
                    }
                    for c in next {
                        let lateAt = clock.now() + c.attemptTimeout
                        candidates[c.id]?.state = .inFlight
                        candidates[c.id]?.lateAt = lateAt
                        lanes[path].inFlight += 1
                        lanes[path].outstanding += 1
                        lanes[path].launched += 1
                        if c.bad { lanes[path].badInFlight += 1 }
                        queried += 1
                        group.addTask { .reply(c.id, await network.ask(c, target: target, mode: mode)) }
                        let releaseAt = lateAt + slotHeldPastHedge(c)
                        group.addTask {
                            try? await clock.sleep(until: releaseAt)
                            return .late(c.id)
                        }
                        if case .nodes = mode {
                            let overdueAt = Self.overdueAt(sentAt: lateAt - c.attemptTimeout, attemptTimeout: c.attemptTimeout)
                            group.addTask {
                                try? await clock.sleep(until: overdueAt)
                                return .overdue(c.id)
                            }
                        }
                    }
                }
                // A path is done once converged or when nothing on it is left to ask or to wait for.
                if !draining && (0..<paths).allSatisfy({ converged($0) || lanes[$0].outstanding == 0 }) { break }
                guard let event = await group.next() else { break }
                switch event {
                case .deadline, .drained: break walk
                case .deferralOver: break
                case .late(let id): markLate(id)
                case .overdue(let id): markOverdue(id)
                case .reply(let id, let reply): complete(id, reply)
                }
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

    /// Adds peers the node admitted (dialable, not us, not a hairpin address), each once and on
    /// one path only: the first that heard of it (docs/routing.md §3.13).
    private mutating func insert(_ peers: [LookupPeer], path: Int) {
        for peer in peers where candidates[peer.id] == nil && !excluded.anyContains(peer.id) {
            candidates[peer.id] = Candidate(peer: peer, path: path, state: .pending)
            let d = peer.id.distance(to: target)
            var lo = 0, hi = order.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if order[mid].distance(to: target) < d { lo = mid + 1 } else { hi = mid }
            }
            order.insert(peer.id, at: lo)
        }
    }

    /// The K closest candidates of `path` that have neither failed nor turned overdue have all
    /// answered. A late one still blocks while its hedges may answer (docs/routing.md §3.8).
    private func converged(_ path: Int) -> Bool {
        var seen = 0
        for id in order {
            guard let c = candidates[id], c.path == path else { continue }
            if c.state == .failed || c.state == .overdue { continue }
            if c.state != .answered { return false }
            seen += 1
            if seen == convergenceWindow { return true }
        }
        // Fewer than K live candidates: the path ends when nothing is left to ask.
        return false
    }

    /// How many of a path's closest live candidates must have answered for it to converge: K,
    /// and for a search that ends at its first record (which stops at that record anyway), K
    /// plus `LookupConstants.firstHitExtraCandidates`. Liars answering with colluders closer to
    /// the key push the honest holders a path already knows out of its K closest; the wider
    /// window still asks them, at a cost only to searches that have found nothing
    /// (docs/routing.md §3.8).
    private var convergenceWindow: Int {
        endsAtFirstRecord ? NodeConstants.k + LookupConstants.firstHitExtraCandidates : NodeConstants.k
    }

    /// Good/Unknown RPCs in flight at once on one path: the lookup's width shared by its paths.
    private var laneWidth: Int {
        let width = endsAtFirstRecord ? LookupConstants.firstHitAlpha : LookupConstants.alpha
        return max(1, (width + paths - 1) / paths)
    }

    /// Whether `path` should hold back `next` for a moment, and on which request: in a search
    /// over several paths that ends at its first record, a path that has sent its first request
    /// waits, once, while another path's request to a closer candidate is in flight and not yet
    /// due to be hedged. That answer is the likeliest to end the search; when it does, the
    /// waiting paths have spent nothing on it, and when it does not, they go on at once. Honest
    /// networks spend their first round on every path and then mostly one request more; a path
    /// led astray by liars holds the others back by one round trip at most (docs/routing.md §3.8).
    private func deferral(of path: Int, before next: LookupPeer) -> (id: NodeID, until: Tick)? {
        guard paths > 1, endsAtFirstRecord else { return nil }
        let lane = lanes[path]
        guard lane.launched > 0, !lane.deferralUsed else { return nil }
        let now = network.clock.now()
        if let id = lane.deferredTo {
            // Waiting already: until that request answers, fails or reaches its attempt deadline.
            guard let c = candidates[id], c.state == .inFlight, let due = c.lateAt, due > now else { return nil }
            return (id, due)
        }
        let distance = next.id.distance(to: target)
        var best: (id: NodeID, until: Tick, distance: Distance)?
        for (id, c) in candidates where c.path != path && c.state == .inFlight {
            guard let due = c.lateAt, due > now else { continue }
            let d = id.distance(to: target)
            guard d < distance, best.map({ d < $0.distance }) ?? true else { continue }
            best = (id, due, d)
        }
        return best.map { ($0.id, $0.until) }
    }

    /// How long a candidate keeps its slot after its first hedge goes out. A search over
    /// several paths that ends at its first record keeps it one attempt deadline more: its
    /// other paths already race the slow one, and the hedge usually answers (a lost datagram),
    /// so asking the next candidate at once as well was a packet spent for nothing
    /// (docs/routing.md §3.8).
    private func slotHeldPastHedge(_ c: LookupPeer) -> Duration {
        paths > 1 && endsAtFirstRecord ? c.attemptTimeout : .zero
    }

    /// A record search with a hit threshold: resolve and find-records, not aggregation.
    private var endsAtFirstRecord: Bool {
        if case .records(_, let threshold) = mode { return threshold > 0 }
        return false
    }

    private var hitReached: Bool {
        if case .records(_, let threshold) = mode, threshold > 0 { return hits.count >= threshold }
        return false
    }

    /// Closest pending candidates of `path` to launch now: Good/Unknown first (up to the lane's
    /// width in flight); Bad ones only when no other candidate is pending (up to β).
    private func nextToAsk(_ path: Int) -> [LookupPeer] {
        var out: [LookupPeer] = []
        // Late RPCs give up their slots, but at most the width again may be late at once: a
        // table full of silent peers must not turn a lookup into a flood (docs/routing.md §3.8).
        var slots = min(laneWidth - lanes[path].inFlight, 2 * laneWidth - lanes[path].outstanding)
        guard slots > 0 else { return out }
        var anyGoodPending = false
        for id in order {
            guard slots > 0, let c = candidates[id], c.path == path, c.state == .pending, !c.peer.bad else { continue }
            anyGoodPending = true
            out.append(c.peer)
            slots -= 1
        }
        if !anyGoodPending {
            var badSlots = LookupConstants.beta - lanes[path].badInFlight
            for id in order {
                guard badSlots > 0, slots > 0, let c = candidates[id], c.path == path, c.state == .pending,
                      c.peer.bad else { continue }
                out.append(c.peer)
                badSlots -= 1
                slots -= 1
            }
        }
        return out
    }

    /// A late candidate gives its slot to the next one: a hedge of it is already out, and the
    /// walk (or, in a record search, a second holder) goes on beside it (docs/routing.md §3.8).
    private mutating func markLate(_ id: NodeID) {
        guard let c = candidates[id], c.state == .inFlight else { return }
        candidates[id]?.state = .late
        releaseSlot(of: c)
    }

    /// When a node lookup stops waiting on a candidate first asked at `sentAt`: at its last
    /// hedge's deadline, but never before `LookupConstants.minOverdueWait` (docs/routing.md §3.8).
    static func overdueAt(sentAt: Tick, attemptTimeout: Duration) -> Tick {
        max(sentAt + attemptTimeout * LookupConstants.attemptsPerPeer, sentAt + LookupConstants.minOverdueWait)
    }

    /// An overdue candidate stops holding convergence; its answer, if it comes while the lookup
    /// runs, still counts, and its RPC still holds a place among the outstanding ones.
    private mutating func markOverdue(_ id: NodeID) {
        guard let c = candidates[id], c.state == .inFlight || c.state == .late else { return }
        if c.state == .inFlight { releaseSlot(of: c) }
        candidates[id]?.state = .overdue
    }

    private mutating func releaseSlot(of c: Candidate) {
        lanes[c.path].inFlight -= 1
        if c.peer.bad { lanes[c.path].badInFlight -= 1 }
    }

    private mutating func complete(_ id: NodeID, _ reply: LookupReply?) {
        guard let c = candidates[id] else { return }
        if c.state == .inFlight { releaseSlot(of: c) }
        lanes[c.path].outstanding -= 1
        guard let reply else {
            candidates[id]?.state = .failed
            return
        }
        candidates[id]?.state = .answered
        answered += 1
        // Every contact is hearsay; the new ones may become candidates of this path. One call, one lock.
        let fresh = reply.nodes.filter { $0.isConsistent && candidates[$0.nodeID] == nil }.map {
            LookupContact(id: $0.nodeID, info: $0, endpoint: $0.endpoint.port == 0 ? nil : $0.endpoint)
        }
        insert(network.report(hearsay: reply.nodes, from: id, admitting: fresh), path: c.path)
        for rec in reply.records { RecordDedupeKey.keepNewest(rec, in: &hits) }
    }
}
