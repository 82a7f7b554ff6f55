import Testing
import A2ALCore
@testable import A2ALDHT

/// A distinct, deterministic peer id for each `n`.
private func peer(_ n: Int) -> NodeID {
    var bytes = [UInt8](repeating: 0xa5, count: NodeID.byteCount)
    bytes[28] = UInt8(truncatingIfNeeded: n >> 24)
    bytes[29] = UInt8(truncatingIfNeeded: n >> 16)
    bytes[30] = UInt8(truncatingIfNeeded: n >> 8)
    bytes[31] = UInt8(truncatingIfNeeded: n)
    return NodeID(bytes: bytes) ?? .zero
}

/// An arbitrary, non-zero starting point on the monotonic clock.
private let t0 = Tick(nanoseconds: 5_000_000_000_000)

@Suite struct PeerHealthEnumTests {
    @Test func rawValuesAndNames() {
        #expect(PeerHealth.unknown.rawValue == 0)
        #expect(PeerHealth.good.rawValue == 1)
        #expect(PeerHealth.bad.rawValue == 2)
        #expect(PeerHealth.unknown.description == "unknown")
        #expect(PeerHealth.good.description == "good")
        #expect(PeerHealth.bad.description == "bad")
    }
}

@Suite struct PeerHealthBackoffTests {
    /// docs/node-behaviour.md §6 back-off table, failCount 1 … 13 (≥ 11 capped at 512 min).
    static let table: [(failCount: Int, seconds: Int64)] = [
        (1, 30), (2, 60), (3, 120), (4, 240), (5, 480), (6, 960), (7, 1920), (8, 3840),
        (9, 7680), (10, 15360), (11, 30720), (12, 30720), (13, 30720),
    ]

    @Test func backoffFormula() {
        for (failCount, seconds) in Self.table {
            #expect(PeerHealthTable.backoff(afterConsecutiveFailures: failCount) == .seconds(seconds),
                    "failCount \(failCount)")
        }
        #expect(PeerHealthTable.backoff(afterConsecutiveFailures: 1000) == .seconds(512 * 60))
    }

    @Test func recordFailureSetsTheTabulatedBackoff() throws {
        var table = PeerHealthTable()
        let id = peer(1)
        var now = t0
        for (failCount, seconds) in Self.table {
            now = now + .seconds(1)
            table.recordFailure(id, now: now)
            let record = try #require(table.snapshot(of: id))
            #expect(record.failCount == failCount)
            #expect(record.nextRetryAt == now + .seconds(seconds), "failCount \(failCount)")
            #expect(record.lastFailure == now)
            #expect(record.totalAttempts == UInt64(failCount))
        }
    }

    @Test func successClearsBackoffAndStreak() throws {
        var table = PeerHealthTable()
        let id = peer(1)
        table.recordFailure(id, now: t0)
        table.recordFailure(id, now: t0)
        table.recordSuccess(id, rtt: nil, now: t0 + .seconds(1))
        let record = try #require(table.snapshot(of: id))
        #expect(record.failCount == 0)
        #expect(record.nextRetryAt == nil)
        #expect(record.totalAttempts == 3)
        #expect(record.lastSuccess == t0 + .seconds(1))
        #expect(record.lastFailure == t0)
        // The streak starts over: the next failure backs off 30 s again.
        table.recordFailure(id, now: t0 + .seconds(2))
        #expect(table.snapshot(of: id)?.nextRetryAt == t0 + .seconds(32))
    }
}

@Suite struct PeerHealthClassificationTests {
    @Test func noEntryIsUnknown() {
        let table = PeerHealthTable()
        #expect(table.health(of: peer(1)) == .unknown)
        #expect(table.count == 0)
        #expect(table.snapshot(of: peer(1)) == nil)
    }

    @Test func oneFailureWithoutSuccessIsUnknown() {
        var table = PeerHealthTable()
        table.recordFailure(peer(1), now: t0)
        #expect(table.health(of: peer(1)) == .unknown)
        #expect(table.count == 1)
    }

    @Test func oneFailureAfterSuccessIsStillGood() {
        var table = PeerHealthTable()
        table.recordSuccess(peer(1), rtt: nil, now: t0)
        table.recordFailure(peer(1), now: t0 + .seconds(1))
        #expect(table.health(of: peer(1)) == .good)
    }

    @Test func twoConsecutiveFailuresAreBadEvenAfterSuccess() {
        var table = PeerHealthTable()
        table.recordSuccess(peer(1), rtt: nil, now: t0)
        table.recordFailure(peer(1), now: t0 + .seconds(1))
        table.recordFailure(peer(1), now: t0 + .seconds(2))
        #expect(table.health(of: peer(1)) == .bad)
        table.recordFailure(peer(2), now: t0)
        table.recordFailure(peer(2), now: t0)
        #expect(table.health(of: peer(2)) == .bad)
    }

    @Test func successRestoresGood() {
        var table = PeerHealthTable()
        for _ in 0..<5 { table.recordFailure(peer(1), now: t0) }
        #expect(table.health(of: peer(1)) == .bad)
        table.recordSuccess(peer(1), rtt: nil, now: t0 + .seconds(1))
        #expect(table.health(of: peer(1)) == .good)
    }
}

@Suite struct PeerHealthTransitionTests {
    @Test func transitionsAreReturnedOnlyOnChange() {
        var table = PeerHealthTable()
        let id = peer(7)
        #expect(table.recordSuccess(id, rtt: nil, now: t0) == HealthTransition(id: id, old: .unknown, new: .good))
        #expect(table.recordSuccess(id, rtt: nil, now: t0) == nil)
        #expect(table.recordFailure(id, now: t0) == nil)
        #expect(table.recordFailure(id, now: t0) == HealthTransition(id: id, old: .good, new: .bad))
        #expect(table.recordFailure(id, now: t0) == nil)
        #expect(table.recordSuccess(id, rtt: nil, now: t0) == HealthTransition(id: id, old: .bad, new: .good))
    }

    @Test func unknownToBadWithoutEverSucceeding() {
        var table = PeerHealthTable()
        let id = peer(8)
        #expect(table.recordFailure(id, now: t0) == nil)
        #expect(table.recordFailure(id, now: t0) == HealthTransition(id: id, old: .unknown, new: .bad))
    }

    @Test func probeFailureCanLiftBad() {
        var table = PeerHealthTable()
        let id = peer(9)
        table.recordSuccess(id, rtt: nil, now: t0)
        table.recordFailure(id, now: t0)
        // The probe's own recordFailure makes it Bad, the probe correction takes that back.
        #expect(table.recordFailure(id, now: t0) == HealthTransition(id: id, old: .good, new: .bad))
        #expect(table.recordProbeFailure(id, now: t0) == HealthTransition(id: id, old: .bad, new: .good))
    }

    @Test func combinedHealthProbeFailureReportsOnlyTheNetChange() throws {
        var table = PeerHealthTable()
        let id = peer(10)
        table.recordSuccess(id, rtt: nil, now: t0)
        table.recordFailure(id, now: t0)
        #expect(table.recordFailedHealthProbe(id, now: t0 + .seconds(1)) == nil)
        let record = try #require(table.snapshot(of: id))
        #expect(record.failCount == 1)
        #expect(record.totalAttempts == 3)
        #expect(record.lastFailure == t0 + .seconds(1))
        // From nothing: the record is created, and stays Unknown.
        #expect(table.recordFailedHealthProbe(peer(11), now: t0) == nil)
        #expect(table.snapshot(of: peer(11))?.failCount == 0)
    }

    @Test func transitionDescription() {
        let t = HealthTransition(id: peer(1), old: .good, new: .bad)
        #expect(t.description.hasSuffix(": good -> bad"))
    }
}

@Suite struct PeerHealthProbeFailureTests {
    @Test func withoutEntryNothingHappens() {
        var table = PeerHealthTable()
        #expect(table.recordProbeFailure(peer(1), now: t0) == nil)
        #expect(table.count == 0)
    }

    @Test func undoesOneFailureAndHalvesTheRemainingBackoff() throws {
        var table = PeerHealthTable()
        let id = peer(1)
        table.recordFailure(id, now: t0)          // back-off until t0 + 30 s
        table.recordProbeFailure(id, now: t0 + .seconds(10))
        let record = try #require(table.snapshot(of: id))
        #expect(record.failCount == 0)
        // 20 s remained; half of it is left.
        #expect(record.nextRetryAt == t0 + .seconds(20))
        // lastFailure and totalAttempts keep the failure's increment.
        #expect(record.lastFailure == t0)
        #expect(record.totalAttempts == 1)
    }

    @Test func halvingTruncatesToTheNanosecond() {
        var table = PeerHealthTable()
        let id = peer(1)
        table.recordFailure(id, now: t0)          // until t0 + 30 s
        let now = t0 + .nanoseconds(1)            // 29.999999999 s remain
        table.recordProbeFailure(id, now: now)
        #expect(table.snapshot(of: id)?.nextRetryAt == Tick(nanoseconds: now.nanoseconds + 14_999_999_999))
    }

    @Test func clearsTheBackoffWhenDueOrPast() {
        var table = PeerHealthTable()
        table.recordFailure(peer(1), now: t0)
        table.recordProbeFailure(peer(1), now: t0 + .seconds(30))   // remaining exactly 0
        #expect(table.snapshot(of: peer(1))?.nextRetryAt == nil)
        table.recordFailure(peer(2), now: t0)
        table.recordProbeFailure(peer(2), now: t0 + .seconds(45))   // remaining negative
        #expect(table.snapshot(of: peer(2))?.nextRetryAt == nil)
    }

    @Test func failCountNeverGoesNegative() {
        var table = PeerHealthTable()
        table.recordSuccess(peer(1), rtt: nil, now: t0)
        table.recordProbeFailure(peer(1), now: t0)
        #expect(table.snapshot(of: peer(1))?.failCount == 0)
    }

    /// docs/node-behaviour.md §6: with f prior failures, failure + probe failure leaves failCount f
    /// and a back-off of (30 s · 2^min(f, 10)) / 2.
    @Test(arguments: [0, 1, 2, 5, 10, 11, 15])
    func netEffectOfAFailedProbe(priorFailures: Int) throws {
        var table = PeerHealthTable()
        let id = peer(1)
        table.recordSuccess(id, rtt: nil, now: t0)
        for _ in 0..<priorFailures { table.recordFailure(id, now: t0) }
        let now = t0 + .seconds(1)
        table.recordFailure(id, now: now)
        table.recordProbeFailure(id, now: now)
        let record = try #require(table.snapshot(of: id))
        #expect(record.failCount == priorFailures)
        let full = PeerHealthTable.backoff(afterConsecutiveFailures: priorFailures + 1)
        #expect(record.nextRetryAt == now + full / 2)
    }

    @Test func probeFailuresAloneNeverMakeAPeerBad() {
        var table = PeerHealthTable()
        var now = t0
        for _ in 0..<20 {
            now = now + .seconds(1)
            table.recordFailure(peer(1), now: now)
            table.recordProbeFailure(peer(1), now: now)
            #expect(table.health(of: peer(1)) != .bad)
        }
    }
}

@Suite struct PeerHealthContactAndRTTTests {
    @Test func allowContactIsStrictlyAfterNextRetry() {
        var table = PeerHealthTable()
        let id = peer(1)
        #expect(table.allowContact(id, now: t0))
        table.recordSuccess(id, rtt: nil, now: t0)
        #expect(table.allowContact(id, now: t0))
        table.recordFailure(id, now: t0)
        #expect(!table.allowContact(id, now: t0))
        #expect(!table.allowContact(id, now: t0 + .seconds(30)))
        #expect(table.allowContact(id, now: t0 + .seconds(30) + .nanoseconds(1)))
        // Other peers are unaffected.
        #expect(table.allowContact(peer(2), now: t0))
    }

    @Test func rttIsTheLastPositiveMeasurementAndSurvivesFailures() {
        var table = PeerHealthTable()
        let id = peer(1)
        #expect(table.rtt(of: id) == nil)
        table.recordSuccess(id, rtt: nil, now: t0)
        #expect(table.rtt(of: id) == nil)
        table.recordSuccess(id, rtt: .zero, now: t0)
        #expect(table.rtt(of: id) == nil)
        table.recordSuccess(id, rtt: .milliseconds(42), now: t0)
        #expect(table.rtt(of: id) == .milliseconds(42))
        table.recordFailure(id, now: t0)
        table.recordFailure(id, now: t0)
        table.recordProbeFailure(id, now: t0)
        #expect(table.rtt(of: id) == .milliseconds(42))
        table.recordSuccess(id, rtt: .zero, now: t0)
        table.recordSuccess(id, rtt: .milliseconds(-3), now: t0)
        #expect(table.rtt(of: id) == .milliseconds(42))
        table.recordSuccess(id, rtt: .milliseconds(17), now: t0)
        #expect(table.rtt(of: id) == .milliseconds(17))
    }

    @Test func sortKey() {
        var table = PeerHealthTable()
        let id = peer(1)
        let empty = table.sortKey(of: id)
        #expect(empty.lastFailure == nil && empty.totalAttempts == 0)
        table.recordSuccess(id, rtt: nil, now: t0)
        table.recordFailure(id, now: t0 + .seconds(5))
        table.recordProbeFailure(id, now: t0 + .seconds(6))
        let key = table.sortKey(of: id)
        #expect(key.lastFailure == t0 + .seconds(5))
        #expect(key.totalAttempts == 2)
    }
}

@Suite struct PeerHealthBoundingTests {
    @Test func evictionKeepsTheMostRecentlyTouched() {
        var table = PeerHealthTable(maxEntries: 3)
        table.recordFailure(peer(1), now: t0)
        table.recordFailure(peer(1), now: t0)
        table.recordSuccess(peer(2), rtt: nil, now: t0 + .seconds(1))
        table.recordSuccess(peer(3), rtt: nil, now: t0 + .seconds(2))
        // Touch peer 1 again: peer 2 is now the least recently touched.
        table.recordProbeFailure(peer(1), now: t0 + .seconds(3))
        table.recordSuccess(peer(4), rtt: nil, now: t0 + .seconds(4))
        #expect(table.count == 3)
        #expect(table.snapshot(of: peer(2)) == nil)
        #expect(table.health(of: peer(2)) == .unknown)
        #expect(table.snapshot(of: peer(1)) != nil)
        #expect(table.health(of: peer(3)) == .good)
        #expect(table.health(of: peer(4)) == .good)
        // Order now: 3, 1, 4. Queries do not count as touching, so 3 then 1 go next.
        _ = table.health(of: peer(3))
        _ = table.allowContact(peer(3), now: t0)
        _ = table.snapshot(of: peer(3))
        table.recordFailure(peer(5), now: t0 + .seconds(5))
        #expect(table.snapshot(of: peer(3)) == nil)
        #expect(table.snapshot(of: peer(1)) != nil)
        table.recordFailure(peer(6), now: t0 + .seconds(6))
        #expect(table.snapshot(of: peer(1)) == nil)
        #expect(table.count == 3)
    }

    @Test func maxEntriesIsAtLeastOne() {
        var table = PeerHealthTable(maxEntries: 0)
        #expect(table.maxEntries == 1)
        table.recordSuccess(peer(1), rtt: nil, now: t0)
        table.recordSuccess(peer(2), rtt: nil, now: t0)
        #expect(table.count == 1)
        #expect(table.health(of: peer(2)) == .good)
    }

    @Test func manyInsertsStayWithinTheCap() {
        var table = PeerHealthTable(maxEntries: 1_000)
        for n in 0..<10_000 {
            table.recordFailure(peer(n), now: t0 + .milliseconds(n))
        }
        #expect(table.count == 1_000)
        #expect(table.snapshot(of: peer(8_999)) == nil)
        #expect(table.snapshot(of: peer(9_000))?.failCount == 1)
        #expect(table.snapshot(of: peer(9_999))?.failCount == 1)
    }

    @Test func pruneForgetsEntriesIdleForMoreThanTheTTL() {
        var table = PeerHealthTable()
        table.recordFailure(peer(1), now: t0)
        table.recordFailure(peer(1), now: t0)
        table.recordSuccess(peer(2), rtt: nil, now: t0 + .seconds(10))
        table.recordSuccess(peer(3), rtt: nil, now: t0)
        table.recordSuccess(peer(3), rtt: nil, now: t0 + .seconds(20))  // touched later
        // Exactly 24 h idle is kept.
        #expect(table.prune(now: t0 + PeerHealthTable.entryTTL) == 0)
        #expect(table.prune(now: t0 + PeerHealthTable.entryTTL + .nanoseconds(1)) == 1)
        #expect(table.health(of: peer(1)) == .unknown)
        #expect(table.count == 2)
        #expect(table.prune(now: t0 + PeerHealthTable.entryTTL + .seconds(15)) == 1)
        #expect(table.snapshot(of: peer(3)) != nil)
        #expect(table.prune(now: t0 + .seconds(100_000)) == 1)
        #expect(table.count == 0)
    }

    @Test func lastTouchedFollowsEveryRecordedOutcome() {
        var table = PeerHealthTable()
        table.recordSuccess(peer(1), rtt: nil, now: t0)
        #expect(table.snapshot(of: peer(1))?.lastTouched == t0)
        table.recordFailure(peer(1), now: t0 + .seconds(1))
        #expect(table.snapshot(of: peer(1))?.lastTouched == t0 + .seconds(1))
        table.recordProbeFailure(peer(1), now: t0 + .seconds(2))
        #expect(table.snapshot(of: peer(1))?.lastTouched == t0 + .seconds(2))
    }
}
