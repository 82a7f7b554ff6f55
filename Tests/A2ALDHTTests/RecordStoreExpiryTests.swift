import Testing
import A2ALCore
import A2ALProtocol
@testable import A2ALDHT

/// Expiry: reads hide expired records without rewriting lists (no §4.7 duplicates), puts drop
/// them from the written key, and `sweepExpired` removes them everywhere (docs/deviations.md §6).
@Suite struct RecordStoreExpiryTests {
    let now = StoreFixture.now

    @Test func readsHideExpiredRecordsButKeepTheKey() throws {
        let signer = try StoreFixture.signer(1)
        let key = signer.address.nodeID
        var store = RecordStore()
        try store.put(try StoreFixture.endpoint(signer), at: .zero, now: now)
        // Valid through timestamp + ttl inclusive.
        #expect(store.getAll(key, recType: 0, now: now + 60).count == 1)
        #expect(store.get(key, now: now + 60) != nil)
        #expect(store.getAll(key, recType: 0, now: now + 61).isEmpty)
        #expect(store.get(key, now: now + 61) == nil)
        #expect(store.records(by: signer.address, recType: 0, now: now + 61).isEmpty)
        #expect(store.debugRows(now: now + 61).isEmpty)
        #expect(store.keyCount == 1)
        #expect(store.recordCount == 1)
    }

    @Test func readsNeverDuplicateOrRewriteStoredRecords() throws {
        let key = StoreFixture.topicKey
        var store = RecordStore()
        let a = try StoreFixture.topic(try StoreFixture.signer(1), ttl: 10)
        let b = try StoreFixture.topic(try StoreFixture.signer(2))
        let c = try StoreFixture.topic(try StoreFixture.signer(3))
        for record in [a, b, c] { try store.put(record, at: key, now: now) }
        for _ in 0..<3 {
            #expect(store.getAll(key, recType: 0, now: now + 20).map(\.record) == [b, c])
            _ = store.get(key, now: now + 20)
            _ = store.debugRows(now: now + 20)
            #expect(throws: StoreError.stale) { try store.put(b, at: key, now: now + 20) }
        }
        #expect(store.storedRecords(at: key) == [a, b, c])
        #expect(store.recordCount == 3)
    }

    @Test func putDropsExpiredRecordsOfTheWrittenKey() throws {
        let key = StoreFixture.topicKey
        let old = try StoreFixture.signer(1)
        var store = RecordStore()
        try store.put(try StoreFixture.topic(old, ttl: 10), at: key, now: now)
        try store.put(try StoreFixture.topic(try StoreFixture.signer(2)), at: key, now: now)
        try store.put(try StoreFixture.topic(try StoreFixture.signer(3), timestamp: now + 20), at: key, now: now + 20)
        #expect(store.storedRecords(at: key).count == 2)
        #expect(store.recordCount == 2)
        #expect(store.addressIndex.keys(of: old.address) == nil)
    }

    @Test func expiredSlotHolderDoesNotBlockAnOlderRecord() throws {
        let signer = try StoreFixture.signer(1)
        var store = RecordStore()
        try store.put(try StoreFixture.sovereign(signer, type: 0x02, seq: 9, ttl: 10), at: .zero, now: now)
        try store.put(try StoreFixture.sovereign(signer, type: 0x02, seq: 1, timestamp: now + 20), at: .zero, now: now + 20)
        #expect(store.getAll(signer.address.nodeID, recType: 0, now: now + 20).map(\.seq) == [1])
    }

    @Test func sweepRemovesExpiredRecordsAndEmptyKeys() throws {
        let agent = try StoreFixture.signer(1)
        let sender = try StoreFixture.signer(2)
        var store = RecordStore()
        try store.put(try StoreFixture.endpoint(agent, ttl: 100), at: .zero, now: now)
        try store.put(try StoreFixture.mailbox(sender, to: agent.address, ttl: 10), at: agent.address.nodeID, now: now)
        try store.put(try StoreFixture.topic(sender, ttl: 20), at: StoreFixture.topicKey, now: now)
        #expect(store.sweepExpired(now: now + 10) == 0)
        #expect(store.sweepExpired(now: now + 11) == 1)
        #expect(store.keyCount == 2)
        #expect(store.records(by: sender.address, recType: 0, now: now + 11).map(\.key) == [StoreFixture.topicKey])
        #expect(store.sweepExpired(now: now + 25) == 1)
        #expect(store.keyCount == 1)
        #expect(!store.contains(StoreFixture.topicKey))
        #expect(store.addressIndex.keys(of: sender.address) == nil)
        #expect(store.sweepExpired(now: now + 1_000) == 1)
        #expect(store.keyCount == 0)
        #expect(store.recordCount == 0)
        #expect(store.addressIndex.addressCount == 0)
        #expect(store.nextExpiry == nil)
    }

    @Test func nextExpiryTracksTheEarliestRecord() throws {
        let record30 = try StoreFixture.topic(try StoreFixture.signer(1), ttl: 30)
        let record10 = try StoreFixture.topic(try StoreFixture.signer(2), ttl: 10)
        var store = RecordStore()
        #expect(store.nextExpiry == nil)
        try store.put(record30, at: StoreFixture.key(1), now: now)
        #expect(store.nextExpiry == now + 30)
        try store.put(record10, at: StoreFixture.key(2), now: now)
        #expect(store.nextExpiry == now + 10)
        #expect(store.sweepExpired(now: now + 11) == 1)
        #expect(store.nextExpiry == now + 30)
    }

    @Test func nextExpiryIsExactAfterASweepFollowingReplacementOrInvalidation() throws {
        let signer = try StoreFixture.signer(1)
        var store = RecordStore()
        try store.put(try StoreFixture.topic(signer, seq: 1, ttl: 10), at: StoreFixture.key(1), now: now)
        try store.put(try StoreFixture.topic(signer, seq: 2, ttl: 500), at: StoreFixture.key(1), now: now)
        try store.put(try StoreFixture.topic(signer, ttl: 5), at: StoreFixture.key(2), now: now)
        try store.put(try StoreFixture.topic(signer, ttl: 900), at: StoreFixture.key(3), now: now)
        store.invalidate(StoreFixture.key(2), recType: 0)
        // Lazy deletion: never later than the truth.
        #expect(try #require(store.nextExpiry) <= now + 500)
        #expect(store.sweepExpired(now: now + 1) == 0)
        #expect(store.nextExpiry == now + 500)
        #expect(store.recordCount == 2)
    }

    @Test func expiryQueueIsCompactedWhenStaleEntriesPileUp() throws {
        let signer = try StoreFixture.signer(1)
        var store = RecordStore()
        // Replacing one slot over and over leaves one stale queue entry per replacement.
        for seq in 1...UInt64(3 * StoreLimits.expiryQueueCompactionFloor) {
            try store.put(try StoreFixture.topic(signer, seq: seq, ttl: 1_000), at: StoreFixture.key(1), now: now)
        }
        #expect(store.recordCount == 1)
        #expect(store.expiryQueue.count <= StoreLimits.expiryQueueCompactionFloor + 1)
        #expect(store.nextExpiry == now + 1_000)
    }

    @Test func sweepLeavesFutureSkewedRecordsAlone() throws {
        let signer = try StoreFixture.signer(1)
        var store = RecordStore()
        try store.put(try StoreFixture.endpoint(signer, timestamp: now + 60), at: .zero, now: now)
        #expect(store.sweepExpired(now: now) == 0)
        #expect(store.getAll(signer.address.nodeID, recType: 0, now: now).count == 1)
    }
}
