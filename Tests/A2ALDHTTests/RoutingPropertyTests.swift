import Testing
import A2ALCore
import A2ALProtocol
@testable import A2ALDHT

/// Random operation sequences against simple expectations: the structure never breaks, no
/// node ID is ever stored twice, and each operation's visible effect matches its outcome.
@Suite struct RoutingPropertyTests {
    private static let ips = ["8.8.8.1", "8.8.8.2", "8.8.8.3", "9.9.9.9", "127.0.0.1", "10.0.0.1",
                              "2001:db8:1:1::1", "2001:db8:1:1::2", "5.5.5.5", "6.6.6.6"]

    private struct Run {
        var t: RoutingTable
        var rng: RoutingTestRandom
        var now = Tick.zero
        var pool: [NodeID] = []
        var pendingChecks: [NodeID] = []
    }

    @Test(arguments: [(1, true), (2, true), (3, false), (4, false), (5, true), (6, false)] as [(UInt64, Bool)])
    func randomOperationsKeepInvariants(seed: UInt64, limited: Bool) {
        var rng = RoutingTestRandom(seed: seed)
        let selfID = RoutingFixture.randomID(using: &rng)
        var run = Run(t: RoutingTable(selfID: selfID, limits: limited ? .default : .unlimited), rng: rng)
        // A small pool crowding a few buckets so they fill and the cache churns.
        for n in 0..<70 {
            run.pool.append(RoutingFixture.id(inBucket: n % 4, of: selfID, using: &run.rng))
        }
        run.pool.append(selfID)
        for step in 0..<2000 {
            perform(&run)
            let problems = run.t.invariantViolations()
            #expect(problems.isEmpty, "step \(step): \(problems)")
            if !problems.isEmpty { return }
            let main = run.t.allEntries()
            #expect(Set(main.map(\.nodeID)).count == run.t.count)
            #expect(!run.t.contains(selfID))
        }
    }

    private func perform(_ run: inout Run) {
        run.now = run.now + .milliseconds(Int64.random(in: 0...90_000, using: &run.rng))
        let id = run.pool.randomElement(using: &run.rng) ?? .zero
        let ip = Self.ips.randomElement(using: &run.rng) ?? "127.0.0.1"
        let contact = RoutingFixture.contact(id, ip: ip, port: UInt16.random(in: 0...3, using: &run.rng))
        switch Int.random(in: 0..<100, using: &run.rng) {
        case 0..<35:
            let before = run.t.entry(for: id)
            let outcome = run.t.add(contact, verifiedAt: nil, learnedFrom: run.pool.first, now: run.now)
            if let before {
                // Hearsay never moves an endpoint or verification.
                #expect(outcome.isRefreshed)
                #expect(run.t.entry(for: id)?.contact.endpoint == before.contact.endpoint)
                #expect(run.t.entry(for: id)?.verifiedAt == before.verifiedAt)
            }
            check(outcome, for: id, in: run.t)
        case 35..<70:
            let outcome = run.t.add(contact, verifiedAt: run.now, learnedFrom: nil, now: run.now)
            check(outcome, for: id, in: run.t)
            if outcome.isInserted || outcome.isRefreshed {
                #expect(run.t.entry(for: id)?.verifiedAt == run.now)
                #expect(run.t.allEntries().last { run.t.bucketIndex(of: $0.nodeID) == run.t.bucketIndex(of: id) }?.nodeID == id)
            }
            if let lru = outcome.checkedEntry { run.pendingChecks.append(lru.nodeID) }
        case 70..<80:
            guard !run.pendingChecks.isEmpty else { return }
            let target = run.pendingChecks.removeFirst()
            run.t.resolveLRUCheck(target, alive: Bool.random(using: &run.rng), now: run.now)
        case 80..<86:
            _ = run.t.remove(id)
            #expect(!run.t.contains(id))
            #expect(run.t.cachedContact(for: id) == nil)
        case 86..<90:
            let wasCached = run.t.cachedContact(for: id) != nil
            let promoted = run.t.markCachedVerified(id, now: run.now)
            if promoted { #expect(run.t.contains(id)) }
            if wasCached && !promoted { #expect(run.t.cachedContact(for: id)?.verifiedAt == run.now) }
        case 90..<93:
            _ = run.t.dropCached(id)
            #expect(run.t.cachedContact(for: id) == nil)
        case 93..<96:
            run.t.updateVerifiedAt(id, run.now)
        default:
            let work = run.t.collectMaintenanceWork(now: run.now, freshCutoff: run.now - .seconds(1800),
                                                     staleCutoff: run.now - .seconds(1800))
            for b in work.bucketsToRefill { run.t.recordRefillOutcome(bucket: b, improved: Bool.random(using: &run.rng)) }
            #expect(work.pendingToProbe.allSatisfy { run.t.cachedContact(for: $0.nodeID) != nil })
            #expect(work.staleToProbe.allSatisfy { run.t.contains($0.nodeID) })
        }
    }

    private func check(_ outcome: AddOutcome, for id: NodeID, in t: RoutingTable) {
        switch outcome {
        case .inserted, .refreshed:
            #expect(t.contains(id))
            #expect(t.cachedContact(for: id) == nil)
        case .cached, .checkLRU:
            #expect(!t.contains(id))
            #expect(t.cachedContact(for: id) != nil)
        case .rejected(let reason):
            if reason == .isSelf { #expect(id == t.selfID) }
        }
    }
}
