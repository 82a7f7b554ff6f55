import Testing
import A2ALCore
import A2ALProtocol
@testable import A2ALDHT

/// Slot identity and strict-newer replacement per category (docs/routing.md §4.2–4.3).
@Suite struct RecordStoreSlotTests {
    let now = StoreFixture.now

    // MARK: Sovereign: one slot per (address, type)

    @Test func sovereignReplacementNeedsHigherSeqOrSameSeqLaterTimestamp() throws {
        let signer = try StoreFixture.signer(1)
        let key = signer.address.nodeID
        var store = RecordStore()
        try store.put(try StoreFixture.sovereign(signer, type: 0x02, seq: 5, timestamp: now - 10), at: key, now: now)
        // Identical, lower seq, same seq with an earlier timestamp: all stale.
        for (seq, timestamp) in [(5, now - 10), (4, now), (5, now - 11)] as [(UInt64, UInt64)] {
            let candidate = try StoreFixture.sovereign(signer, type: 0x02, seq: seq, timestamp: timestamp)
            #expect(throws: StoreError.stale) { try store.put(candidate, at: key, now: now) }
        }
        #expect(store.getAll(key, recType: 0, now: now).map(\.seq) == [5])
        // Same seq, later timestamp: replaces.
        try store.put(try StoreFixture.sovereign(signer, type: 0x02, seq: 5, timestamp: now - 9), at: key, now: now)
        #expect(store.getAll(key, recType: 0, now: now).map(\.timestamp) == [now - 9])
        // Higher seq with an older timestamp: replaces (seq decides first).
        try store.put(try StoreFixture.sovereign(signer, type: 0x02, seq: 6, timestamp: now - 50), at: key, now: now)
        #expect(store.getAll(key, recType: 0, now: now).map(\.seq) == [6])
        #expect(store.recordCount == 1)
    }

    @Test func sovereignTypesHaveSeparateSlots() throws {
        let signer = try StoreFixture.signer(1)
        let key = signer.address.nodeID
        var store = RecordStore()
        try store.put(try StoreFixture.endpoint(signer), at: key, now: now)
        try store.put(try StoreFixture.sovereign(signer, type: 0x02), at: key, now: now)
        try store.put(try StoreFixture.sovereign(signer, type: 0x20), at: key, now: now)
        #expect(store.getAll(key, recType: 0, now: now).map(\.recType) == [0x01, 0x02, 0x20])
    }

    @Test func staleRecordLeavesTheKeyUntouched() throws {
        let signer = try StoreFixture.signer(1)
        let key = signer.address.nodeID
        var store = RecordStore()
        try store.put(try StoreFixture.endpoint(signer, seq: 2), at: key, now: now)
        try store.put(try StoreFixture.sovereign(signer, type: 0x02), at: key, now: now)
        try store.put(try StoreFixture.topic(signer), at: key, now: now)
        let before = store.storedRecords(at: key)
        let order = store.keysByAccess
        #expect(throws: StoreError.stale) { try store.put(try StoreFixture.endpoint(signer, seq: 1), at: key, now: now) }
        #expect(store.storedRecords(at: key) == before)
        #expect(store.keysByAccess == order)
        #expect(store.recordCount == 3)
    }

    @Test func replacementMovesTheRecordToTheTailOfItsGroup() throws {
        let signer = try StoreFixture.signer(1)
        let sender = try StoreFixture.signer(2)
        let key = signer.address.nodeID
        var store = RecordStore()
        try store.put(try StoreFixture.endpoint(signer, seq: 1), at: key, now: now)
        try store.put(try StoreFixture.sovereign(signer, type: 0x02), at: key, now: now)
        try store.put(try StoreFixture.mailbox(sender, to: signer.address), at: key, now: now)
        try store.put(try StoreFixture.endpoint(signer, seq: 2), at: key, now: now)
        let types = store.getAll(key, recType: 0, now: now).map { [$0.recType, UInt8($0.seq)] }
        #expect(types == [[0x80, 1], [0x02, 1], [0x01, 2]])
    }

    // MARK: Topic: one slot per signing key, type not part of it

    @Test func topicSlotIsThePubkeyRegardlessOfType() throws {
        let signer = try StoreFixture.signer(1)
        let other = try StoreFixture.signer(2)
        let key = StoreFixture.topicKey
        var store = RecordStore()
        try store.put(try StoreFixture.topic(signer, seq: 1), at: key, now: now)
        try store.put(try StoreFixture.topic(other, seq: 1), at: key, now: now)
        // A 0x11 record from the same signer competes for the same slot.
        #expect(throws: StoreError.stale) {
            try store.put(try StoreFixture.topic(signer, type: 0x11, seq: 1), at: key, now: now)
        }
        try store.put(try StoreFixture.topic(signer, type: 0x11, seq: 2), at: key, now: now)
        let records = store.getAll(key, recType: 0, now: now)
        #expect(records.map(\.recType) == [0x10, 0x11])
        #expect(records.map(\.pubkey) == [other.publicKey, signer.publicKey])
        #expect(store.getAll(key, recType: RecordType.topic, now: now).count == 1)
    }

    @Test func topicSameSeqNeedsLaterTimestamp() throws {
        let signer = try StoreFixture.signer(1)
        let key = StoreFixture.topicKey
        var store = RecordStore()
        try store.put(try StoreFixture.topic(signer, seq: 7, timestamp: now), at: key, now: now)
        #expect(throws: StoreError.stale) {
            try store.put(try StoreFixture.topic(signer, seq: 7, timestamp: now), at: key, now: now)
        }
        try store.put(try StoreFixture.topic(signer, seq: 7, timestamp: now + 1), at: key, now: now)
        #expect(store.getAll(key, recType: 0, now: now).map(\.timestamp) == [now + 1])
    }

    // MARK: Mailbox: one slot per (pubkey, payload, type)

    @Test func mailboxSlotIsPubkeyPayloadAndType() throws {
        let recipient = try StoreFixture.signer(1)
        let sender = try StoreFixture.signer(2)
        let otherSender = try StoreFixture.signer(3)
        let key = recipient.address.nodeID
        var store = RecordStore()
        try store.put(try StoreFixture.mailbox(sender, to: recipient.address, message: 1), at: key, now: now)
        // Different payload, different type, different signer: separate slots.
        try store.put(try StoreFixture.mailbox(sender, to: recipient.address, message: 2), at: key, now: now)
        try store.put(try StoreFixture.mailbox(sender, to: recipient.address, message: 1, type: 0x81), at: key, now: now)
        try store.put(try StoreFixture.mailbox(otherSender, to: recipient.address, message: 1), at: key, now: now)
        #expect(store.recordCount == 4)
        // Same signer, payload and type: must be strictly newer.
        #expect(throws: StoreError.stale) {
            try store.put(try StoreFixture.mailbox(sender, to: recipient.address, message: 1), at: key, now: now)
        }
        try store.put(try StoreFixture.mailbox(sender, to: recipient.address, message: 1, seq: 2), at: key, now: now)
        #expect(store.recordCount == 4)
        #expect(store.getAll(key, recType: RecordType.mailbox, now: now).last?.seq == 2)
    }

    @Test func mailboxNilAndEmptyPayloadShareASlot() throws {
        let sender = try StoreFixture.signer(2)
        let key = StoreFixture.key(1)
        var store = RecordStore()
        let empty = try SignedRecord.sign(recType: RecordType.mailbox, payload: [], seq: 1, timestamp: now,
                                          ttl: 60, signer: sender)
        let absent = try SignedRecord.sign(recType: RecordType.mailbox, payload: nil, seq: 1, timestamp: now,
                                           ttl: 60, signer: sender)
        try store.put(empty, at: key, now: now)
        #expect(throws: StoreError.stale) { try store.put(absent, at: key, now: now) }
    }

    // MARK: Categories side by side

    @Test func categoriesAtOneKeyDoNotShareSlots() throws {
        let agent = try StoreFixture.signer(1)
        let key = agent.address.nodeID
        var store = RecordStore()
        // The same signer's endpoint, topic and mailbox records all coexist at its own key.
        try store.put(try StoreFixture.endpoint(agent), at: key, now: now)
        try store.put(try StoreFixture.topic(agent), at: key, now: now)
        try store.put(try StoreFixture.mailbox(agent, to: agent.address), at: key, now: now)
        #expect(store.getAll(key, recType: 0, now: now).map(\.recType) == [0x01, 0x10, 0x80])
    }
}
