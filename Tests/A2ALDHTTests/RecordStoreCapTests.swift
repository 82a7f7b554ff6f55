import Testing
import A2ALCore
import A2ALProtocol
@testable import A2ALDHT

/// Per-key category caps and their exact victims (docs/routing.md §4.3 `evict_<cat>`).
@Suite struct RecordStoreCapTests {
    let now = StoreFixture.now
    /// Long enough that back-dated fixtures stay valid.
    let longTTL: UInt32 = 100_000

    // MARK: Sovereign: 8, oldest-written non-endpoint first

    @Test func sovereignCapEvictsOldestWrittenNonEndpoint() throws {
        let signer = try StoreFixture.signer(1)
        let key = signer.address.nodeID
        var store = RecordStore()
        try store.put(try StoreFixture.endpoint(signer), at: key, now: now)
        // Unknown-category types count against the sovereign cap.
        let types: [UInt8] = [0x02, 0x20, 0x03, 0x04, 0x90, 0x05, 0x06]
        for type in types { try store.put(try StoreFixture.sovereign(signer, type: type), at: key, now: now) }
        #expect(store.recordCount == StoreLimits.maxSovereignPerKey)
        try store.put(try StoreFixture.sovereign(signer, type: 0x07), at: key, now: now)
        #expect(store.getAll(key, recType: 0, now: now).map(\.recType) == [0x01, 0x20, 0x03, 0x04, 0x90, 0x05, 0x06, 0x07])
        // Rewriting 0x20 moves it to the tail, so 0x03 is now the oldest-written non-endpoint.
        try store.put(try StoreFixture.sovereign(signer, type: 0x20, seq: 2), at: key, now: now)
        try store.put(try StoreFixture.sovereign(signer, type: 0x08), at: key, now: now)
        #expect(store.getAll(key, recType: 0, now: now).map(\.recType) == [0x01, 0x04, 0x90, 0x05, 0x06, 0x07, 0x20, 0x08])
        #expect(store.recordCount == 8)
    }

    @Test func sovereignCapSparesTheEndpointEvenWhenWrittenFirst() throws {
        let signer = try StoreFixture.signer(1)
        let key = signer.address.nodeID
        var store = RecordStore()
        for type: UInt8 in 0x02...0x08 { try store.put(try StoreFixture.sovereign(signer, type: type), at: key, now: now) }
        try store.put(try StoreFixture.endpoint(signer), at: key, now: now)
        try store.put(try StoreFixture.sovereign(signer, type: 0x09), at: key, now: now)
        #expect(store.getAll(key, recType: 0, now: now).map(\.recType) == [0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x01, 0x09])
    }

    @Test func sovereignCapFallsBackToSmallestTimestampWhenAllAreEndpoints() throws {
        // Unreachable through put (one endpoint per key), so the merge is exercised directly.
        let timestamps: [UInt64] = [now - 5, now - 9, now - 3, now - 9, now - 1, now - 2, now - 4, now - 6]
        var list: [VerifiedRecord] = []
        for (index, timestamp) in timestamps.enumerated() {
            list.append(try StoreFixture.endpoint(try StoreFixture.signer(10 + index), timestamp: timestamp).verified(now: now))
        }
        let newcomer = try StoreFixture.endpoint(try StoreFixture.signer(99), timestamp: now).verified(now: now)
        let outcome = try SlotMerge.merge(list, adding: newcomer)
        #expect(outcome.removed == [list[1]])
        #expect(outcome.records == Array(list[0..<1] + list[2...]) + [newcomer])
    }

    // MARK: Topic: 100, smallest timestamp first

    @Test func topicCapEvictsSmallestTimestampFirstOnTies() throws {
        let key = StoreFixture.topicKey
        var store = RecordStore()
        var signers: [Ed25519.KeyPair] = []
        for index in 0..<StoreLimits.maxTopicPerKey {
            let signer = try StoreFixture.signer(100 + index)
            signers.append(signer)
            let timestamp = index == 10 || index == 20 ? now - 2_000 : now - 1_000 + UInt64(index)
            try store.put(try StoreFixture.topic(signer, timestamp: timestamp, ttl: longTTL), at: key, now: now)
        }
        #expect(store.recordCount == 100)
        let first = try StoreFixture.signer(500)
        try store.put(try StoreFixture.topic(first, ttl: longTTL), at: key, now: now)
        var pubkeys = Set(store.getAll(key, recType: 0, now: now).map(\.pubkey))
        #expect(pubkeys.count == 100)
        #expect(!pubkeys.contains(signers[10].publicKey))
        #expect(pubkeys.contains(signers[20].publicKey))
        try store.put(try StoreFixture.topic(try StoreFixture.signer(501), ttl: longTTL), at: key, now: now)
        pubkeys = Set(store.getAll(key, recType: 0, now: now).map(\.pubkey))
        #expect(!pubkeys.contains(signers[20].publicKey))
        #expect(store.records(by: signers[10].address, recType: 0, now: now).isEmpty)
        #expect(store.addressIndex.keys(of: signers[20].address) == nil)
    }

    @Test func topicCapCanEvictTheRecordJustPut() throws {
        let key = StoreFixture.topicKey
        var store = RecordStore()
        for index in 0..<StoreLimits.maxTopicPerKey {
            try store.put(try StoreFixture.topic(try StoreFixture.signer(100 + index), ttl: longTTL), at: key, now: now)
        }
        let late = try StoreFixture.signer(900)
        // Success is reported although the cap picks the newcomer (reference behaviour).
        #expect(try store.put(try StoreFixture.topic(late, timestamp: now - 3_000, ttl: longTTL), at: key, now: now) == key)
        #expect(store.recordCount == 100)
        #expect(!store.getAll(key, recType: 0, now: now).contains { $0.pubkey == late.publicKey })
        #expect(store.records(by: late.address, recType: 0, now: now).isEmpty)
        #expect(store.addressIndex.keys(of: late.address) == nil)
    }

    // MARK: Mailbox: 4 per signer, then 50 per key

    @Test func mailboxPerSignerCapEvictsThatSignersOldest() throws {
        let recipient = try StoreFixture.signer(1)
        let sender = try StoreFixture.signer(2)
        let bystander = try StoreFixture.signer(3)
        let key = recipient.address.nodeID
        var store = RecordStore()
        try store.put(try StoreFixture.mailbox(bystander, to: recipient.address, message: 0, timestamp: now - 900,
                                               ttl: longTTL), at: key, now: now)
        let timestamps: [UInt64] = [now - 10, now - 20, now - 5, now - 20]
        for (index, timestamp) in timestamps.enumerated() {
            try store.put(try StoreFixture.mailbox(sender, to: recipient.address, message: UInt8(index + 1),
                                                   timestamp: timestamp, ttl: longTTL), at: key, now: now)
        }
        try store.put(try StoreFixture.mailbox(sender, to: recipient.address, message: 9, ttl: longTTL), at: key, now: now)
        let messages = store.getAll(key, recType: 0, now: now).map { $0.pubkey == sender.publicKey ? $0.payload ?? [] : [] }
        #expect(store.recordCount == 5)
        // Message 2 (first of the two oldest) went; the bystander's older record stays.
        let senderMessages = store.getAll(key, recType: 0, now: now).filter { $0.pubkey == sender.publicKey }
        #expect(senderMessages.map(\.timestamp) == [now - 10, now - 5, now - 20, now])
        #expect(messages.count == 5)
        #expect(store.getAll(key, recType: 0, now: now).first?.pubkey == bystander.publicKey)
    }

    @Test func mailboxPerSignerCapCanEvictTheNewcomer() throws {
        let recipient = try StoreFixture.signer(1)
        let sender = try StoreFixture.signer(2)
        let key = recipient.address.nodeID
        var store = RecordStore()
        for message in 1...4 {
            try store.put(try StoreFixture.mailbox(sender, to: recipient.address, message: UInt8(message)), at: key, now: now)
        }
        try store.put(try StoreFixture.mailbox(sender, to: recipient.address, message: 5, timestamp: now - 30), at: key, now: now)
        #expect(store.getAll(key, recType: 0, now: now).compactMap { $0.payload }.count == 4)
        #expect(store.getAll(key, recType: 0, now: now).allSatisfy { $0.timestamp == now })
    }

    @Test func mailboxKeyCapEvictsSmallestTimestampOverall() throws {
        let recipient = try StoreFixture.signer(1)
        let key = recipient.address.nodeID
        var store = RecordStore()
        // 12 senders × 4 + 2 = 50 records; two share the oldest timestamp.
        var oldest: [SignedRecord] = []
        for senderIndex in 0..<12 {
            let sender = try StoreFixture.signer(200 + senderIndex)
            for message in 0..<4 {
                let isOldest = (senderIndex == 3 && message == 1) || (senderIndex == 7 && message == 0)
                let record = try StoreFixture.mailbox(sender, to: recipient.address, message: UInt8(message),
                                                      timestamp: isOldest ? now - 500 : now - UInt64(message),
                                                      ttl: longTTL)
                if isOldest { oldest.append(record) }
                try store.put(record, at: key, now: now)
            }
        }
        let last = try StoreFixture.signer(300)
        try store.put(try StoreFixture.mailbox(last, to: recipient.address, message: 0, ttl: longTTL), at: key, now: now)
        try store.put(try StoreFixture.mailbox(last, to: recipient.address, message: 1, ttl: longTTL), at: key, now: now)
        #expect(store.recordCount == StoreLimits.maxMailboxPerKey)
        try store.put(try StoreFixture.mailbox(last, to: recipient.address, message: 2, ttl: longTTL), at: key, now: now)
        let records = store.getAll(key, recType: 0, now: now).map(\.record)
        #expect(records.count == 50)
        #expect(!records.contains(oldest[0]))
        #expect(records.contains(oldest[1]))
        try store.put(try StoreFixture.mailbox(last, to: recipient.address, message: 3, ttl: longTTL), at: key, now: now)
        #expect(!store.getAll(key, recType: 0, now: now).map(\.record).contains(oldest[1]))
    }

    @Test func capsAreCountedPerCategory() throws {
        let agent = try StoreFixture.signer(1)
        let key = agent.address.nodeID
        var store = RecordStore()
        try store.put(try StoreFixture.endpoint(agent), at: key, now: now)
        for type: UInt8 in 0x02...0x08 { try store.put(try StoreFixture.sovereign(agent, type: type), at: key, now: now) }
        for senderIndex in 0..<3 {
            let sender = try StoreFixture.signer(200 + senderIndex)
            for message in 0..<4 {
                try store.put(try StoreFixture.mailbox(sender, to: agent.address, message: UInt8(message)), at: key, now: now)
            }
        }
        #expect(store.recordCount == 8 + 12)
        #expect(store.get(key, now: now) != nil)
    }
}
