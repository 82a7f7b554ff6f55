import Testing
import A2ALCore
import A2ALProtocol
@testable import A2ALDHT

/// The per-peer storage rules of docs/routing.md §8.1: what keeps a joined node small, and that
/// the compact forms answer exactly like the ones they replace.
@Suite struct PeerMemoryLayoutTests {
    @Test func inlineIdentifiersPackWithoutPadding() {
        #expect(MemoryLayout<Address>.stride == 24)
        #expect(MemoryLayout<IPAddress>.stride == 24)
        #expect(MemoryLayout<WireEndpoint>.stride == 24)
        #expect(MemoryLayout<Contact>.stride == 80)
        #expect(MemoryLayout<PackedHealthRecord>.stride == 56)
    }

    @Test func bucketsAreAllocatedOnlyDownToTheDeepestWritten() {
        var table = RoutingFixture.table()
        #expect(table.allocatedBuckets == 0)
        #expect(table.bucketLength(200) == 0)
        #expect(table.leastRecentlySeen(inBucket: 200) == nil)
        #expect(table.allocatedBuckets == 0)
        _ = table.add(RoutingFixture.contact(RoutingFixture.id(0x80, 1)), verifiedAt: .zero, learnedFrom: nil, now: .zero)
        #expect(table.allocatedBuckets == 1)
        _ = table.add(RoutingFixture.contact(RoutingFixture.id(0x10, 1)), verifiedAt: .zero, learnedFrom: nil, now: .zero)
        #expect(table.allocatedBuckets == 4)
        #expect(table.bucketLength(3) == 1)
        #expect(table.nearest(to: RoutingFixture.id(0x10), count: 2).map(\.nodeID)
                == [RoutingFixture.id(0x10, 1), RoutingFixture.id(0x80, 1)])
    }

    @Test func refillOutcomeOfAnUnallocatedBucketIsStillRecorded() {
        var table = RoutingFixture.table()
        table.recordRefillOutcome(bucket: 40, improved: false)
        #expect(table.buckets[40].futileRefills == 1)
    }

    @Test func packedHealthRoundTripsEveryField() {
        let full = PeerHealthRecord(lastSuccess: Tick(nanoseconds: 7), lastFailure: Tick(nanoseconds: -3), failCount: 5,
                                    totalAttempts: .max, rtt: .milliseconds(42), nextRetryAt: Tick(nanoseconds: 1 << 62),
                                    lastTouched: Tick(nanoseconds: 11))
        #expect(PackedHealthRecord(full).record == full)
        #expect(PackedHealthRecord(full).health == full.health)
        let empty = PeerHealthRecord(lastTouched: .zero)
        #expect(PackedHealthRecord(empty).record == empty)
        #expect(PackedHealthRecord(empty).health == .unknown)
    }

    @Test func dialBookReverseLookupPrefersTheLatestFirstHandBinding() {
        let shared = PeerAddress.udp(RoutingFixture.endpoint("203.0.113.5", 4000))
        let a = RoutingFixture.id(0x80, 1), b = RoutingFixture.id(0x80, 2), c = RoutingFixture.id(0x80, 3)
        var book = DialBook(capacity: 16)
        #expect(book.node(at: shared) == nil)
        book.bind(a, shared, firstHand: false)
        book.bind(b, shared, firstHand: false)
        #expect(book.node(at: shared) == a)   // the oldest hearsay
        book.bind(c, shared, firstHand: true)
        #expect(book.node(at: shared) == c)   // first-hand beats hearsay
        book.bind(b, shared, firstHand: true)
        #expect(book.node(at: shared) == b)   // the latest first-hand
        book.forget(b)
        #expect(book.node(at: shared) == c)
        book.bind(c, .udp(RoutingFixture.endpoint("203.0.113.6", 4000)), firstHand: true)
        #expect(book.node(at: shared) == a)
    }
}
