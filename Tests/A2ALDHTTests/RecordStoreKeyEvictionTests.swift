import Testing
import A2ALCore
import A2ALProtocol
@testable import A2ALDHT

/// Least-recently-accessed key eviction (docs/routing.md §4.3 `evictKeys`, with the
/// docs/deviations.md §6 fixes: a strict access order and never the key being inserted).
@Suite struct RecordStoreKeyEvictionTests {
    let now = StoreFixture.now

    /// One topic record can live at any key, so it fills many keys with a single signature.
    private func topicRecord() throws -> SignedRecord { try StoreFixture.topic(try StoreFixture.signer(1)) }

    @Test func evictsTheLeastRecentlyAccessedKey() throws {
        let record = try topicRecord()
        var store = RecordStore(maxKeys: 3)
        for index in 0..<3 { try store.put(record, at: StoreFixture.key(index), now: now) }
        try store.put(record, at: StoreFixture.key(3), now: now)
        #expect(store.keysByAccess == [1, 2, 3].map(StoreFixture.key))
        #expect(!store.contains(StoreFixture.key(0)))
        #expect(store.recordCount == 3)
    }

    @Test func readsAndSuccessfulPutsCountAsAccess() throws {
        let record = try topicRecord()
        let other = try StoreFixture.topic(try StoreFixture.signer(2))
        var store = RecordStore(maxKeys: 4)
        for index in 0..<4 { try store.put(record, at: StoreFixture.key(index), now: now) }
        _ = store.getAll(StoreFixture.key(0), recType: 0, now: now)
        _ = store.get(StoreFixture.key(1), now: now)
        try store.put(other, at: StoreFixture.key(2), now: now)
        #expect(store.keysByAccess == [3, 0, 1, 2].map(StoreFixture.key))
        try store.put(record, at: StoreFixture.key(4), now: now)
        #expect(!store.contains(StoreFixture.key(3)))
        try store.put(record, at: StoreFixture.key(5), now: now)
        #expect(!store.contains(StoreFixture.key(0)))
        #expect(store.keysByAccess == [1, 2, 4, 5].map(StoreFixture.key))
    }

    @Test func failedPutsAndAddressReadsAreNotAccesses() throws {
        let signer = try StoreFixture.signer(1)
        let record = try StoreFixture.topic(signer)
        var store = RecordStore(maxKeys: 2)
        try store.put(record, at: StoreFixture.key(0), now: now)
        try store.put(record, at: StoreFixture.key(1), now: now)
        #expect(throws: StoreError.stale) { try store.put(record, at: StoreFixture.key(0), now: now) }
        _ = store.records(by: signer.address, recType: 0, now: now)
        _ = store.debugRows(now: now)
        _ = store.getAll(StoreFixture.key(7), recType: 0, now: now)
        #expect(store.keysByAccess == [0, 1].map(StoreFixture.key))
    }

    @Test func tiesWithinOneSecondFollowAccessOrder() throws {
        let record = try topicRecord()
        var store = RecordStore(maxKeys: 10)
        // Every put happens in the same second; the order of access still decides.
        for index in 0..<1_000 { try store.put(record, at: StoreFixture.key(index), now: now) }
        #expect(store.keysByAccess == (990..<1_000).map(StoreFixture.key))
        #expect(store.keyCount == 10)
        #expect(store.recordCount == 10)
        #expect(store.records(by: record.address, recType: 0, now: now).count == 10)
    }

    @Test func neverEvictsTheKeyBeingInserted() throws {
        let record = try topicRecord()
        var store = RecordStore(maxKeys: 1)
        try store.put(record, at: StoreFixture.key(0), now: now)
        try store.put(record, at: StoreFixture.key(1), now: now)
        #expect(store.keysByAccess == [StoreFixture.key(1)])
        // Even when the new key was written with an older clock than the survivor's last access.
        _ = store.getAll(StoreFixture.key(1), recType: 0, now: now + 30)
        try store.put(record, at: StoreFixture.key(2), now: now)
        #expect(store.keysByAccess == [StoreFixture.key(2)])
    }

    @Test func maxKeysOfZeroOrLessMeansTheDefault() {
        #expect(RecordStore().maxKeys == 100_000)
        #expect(RecordStore.defaultMaxKeys == StoreLimits.defaultMaxKeys)
        #expect(RecordStore(maxKeys: 0).maxKeys == RecordStore.defaultMaxKeys)
        #expect(RecordStore(maxKeys: -3).maxKeys == RecordStore.defaultMaxKeys)
        var store = RecordStore(maxKeys: 5)
        #expect(store.maxKeys == 5)
        store.maxKeys = 0
        #expect(store.maxKeys == RecordStore.defaultMaxKeys)
        store.maxKeys = -1
        #expect(store.maxKeys == RecordStore.defaultMaxKeys)
    }

    @Test func zeroLimitKeepsEveryKey() throws {
        let record = try topicRecord()
        var store = RecordStore(maxKeys: 2)
        store.maxKeys = 0
        for index in 0..<5 { try store.put(record, at: StoreFixture.key(index), now: now) }
        #expect(store.keyCount == 5)
    }

    @Test func loweredLimitTakesEffectAtTheNextNewKey() throws {
        let record = try topicRecord()
        let other = try StoreFixture.topic(try StoreFixture.signer(2))
        var store = RecordStore(maxKeys: 10)
        for index in 0..<5 { try store.put(record, at: StoreFixture.key(index), now: now) }
        store.maxKeys = 2
        #expect(store.keyCount == 5)
        // Writing an existing key does not evict.
        try store.put(other, at: StoreFixture.key(0), now: now)
        #expect(store.keyCount == 5)
        try store.put(record, at: StoreFixture.key(5), now: now)
        #expect(store.keysByAccess == [StoreFixture.key(0), StoreFixture.key(5)])
        #expect(store.recordCount == 3)
        store.maxKeys = 3
        try store.put(record, at: StoreFixture.key(6), now: now)
        #expect(store.keyCount == 3)
    }

    @Test func evictedSlotsAreReused() throws {
        let record = try topicRecord()
        var store = RecordStore(maxKeys: 4)
        for index in 0..<200 { try store.put(record, at: StoreFixture.key(index), now: now) }
        #expect(store.keyCount == 4)
        store.invalidate(StoreFixture.key(199), recType: 0)
        try store.put(record, at: StoreFixture.key(500), now: now)
        #expect(store.keysByAccess == [196, 197, 198, 500].map(StoreFixture.key))
    }

    /// The store must hold the reference's default of 100 000 keys and evict past it.
    @Test func holdsTheDefaultKeyLimit() throws {
        let record = try topicRecord()
        var store = RecordStore()
        let limit = RecordStore.defaultMaxKeys
        for index in 0..<limit { try store.put(record, at: StoreFixture.key(index), now: now) }
        #expect(store.keyCount == limit)
        #expect(store.recordCount == limit)
        try store.put(record, at: StoreFixture.key(limit), now: now)
        #expect(store.keyCount == limit)
        #expect(!store.contains(StoreFixture.key(0)))
        #expect(store.contains(StoreFixture.key(limit)))
        #expect(store.records(by: record.address, recType: 0, now: now).count == limit)
    }
}
