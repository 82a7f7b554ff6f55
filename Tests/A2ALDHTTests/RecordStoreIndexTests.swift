import A2ALSimulation
import Testing
import A2ALCore
import A2ALProtocol
@testable import A2ALDHT

/// `records(by:)` through the address index, `invalidate`, and a randomized check of the whole
/// store against a full-scan model (the reference's `GetAllByAddress`) and an access-order model.
@Suite struct RecordStoreIndexTests {
    let now = StoreFixture.now

    @Test func recordsByAddressFindsAuthoredRecordsEverywhere() throws {
        let author = try StoreFixture.signer(1)
        let friend = try StoreFixture.signer(2)
        var store = RecordStore()
        try store.put(try StoreFixture.endpoint(author), at: .zero, now: now)
        try store.put(try StoreFixture.topic(author), at: StoreFixture.topicKey, now: now)
        try store.put(try StoreFixture.mailbox(author, to: friend.address), at: friend.address.nodeID, now: now)
        try store.put(try StoreFixture.endpoint(friend), at: .zero, now: now)
        let found = store.records(by: author.address, recType: 0, now: now)
        #expect(Set(found.map(\.key)) == [author.address.nodeID, StoreFixture.topicKey, friend.address.nodeID])
        #expect(found.allSatisfy { $0.record.address == author.address })
        let mail = store.records(by: author.address, recType: RecordType.mailbox, now: now)
        #expect(mail.map(\.key) == [friend.address.nodeID])
        #expect(store.records(by: friend.address, recType: 0, now: now).count == 1)
        #expect(store.records(by: try StoreFixture.signer(3).address, recType: 0, now: now).isEmpty)
    }

    @Test func invalidateByTypeAndWholeKey() throws {
        let agent = try StoreFixture.signer(1)
        let sender = try StoreFixture.signer(2)
        let key = agent.address.nodeID
        var store = RecordStore()
        try store.put(try StoreFixture.endpoint(agent), at: key, now: now)
        try store.put(try StoreFixture.sovereign(agent, type: 0x02), at: key, now: now)
        try store.put(try StoreFixture.mailbox(sender, to: agent.address), at: key, now: now)
        store.invalidate(key, recType: RecordType.mailbox)
        #expect(store.recordCount == 2)
        #expect(store.records(by: sender.address, recType: 0, now: now).isEmpty)
        #expect(store.addressIndex.keys(of: sender.address) == nil)
        store.invalidate(key, recType: 0x33) // nothing of that type: no-op
        store.invalidate(StoreFixture.key(5), recType: 0) // absent key: no-op
        #expect(store.recordCount == 2)
        store.invalidate(key, recType: RecordType.endpoint)
        #expect(store.records(by: agent.address, recType: 0, now: now).map(\.record.recType) == [0x02])
        store.invalidate(key, recType: 0x02)
        #expect(store.keyCount == 0)
        #expect(store.addressIndex.addressCount == 0)
        try store.put(try StoreFixture.endpoint(agent), at: key, now: now)
        store.invalidate(key, recType: 0)
        #expect(store.keyCount == 0 && store.recordCount == 0)
    }

    @Test func keyEvictionUpdatesTheIndex() throws {
        let author = try StoreFixture.signer(1)
        let record = try StoreFixture.topic(author)
        var store = RecordStore(maxKeys: 2)
        for index in 0..<3 { try store.put(record, at: StoreFixture.key(index), now: now) }
        #expect(Set(store.records(by: author.address, recType: 0, now: now).map(\.key)) == [StoreFixture.key(1), StoreFixture.key(2)])
    }

    @Test func addressSpreadOverManyKeysSwitchesToASet() throws {
        let author = try StoreFixture.signer(1)
        let record = try StoreFixture.topic(author)
        var store = RecordStore()
        let count = AddressKeyIndex.smallKeyListLimit * 4
        for index in 0..<count { try store.put(record, at: StoreFixture.key(index), now: now) }
        #expect(store.records(by: author.address, recType: 0, now: now).count == count)
        for index in 0..<count where index % 2 == 0 { store.invalidate(StoreFixture.key(index), recType: 0) }
        #expect(Set(store.records(by: author.address, recType: 0, now: now).map(\.key))
            == Set((0..<count).filter { $0 % 2 == 1 }.map(StoreFixture.key)))
    }

    // MARK: Randomized model check

    @Test(arguments: [1, 2, 3] as [UInt64])
    func randomOperationsKeepIndexOrderAndCapsConsistent(seed: UInt64) throws {
        var random = StoreTestRandom(seed: seed)
        let signers = try (0..<5).map { try StoreFixture.signer(40 + $0) }
        let extraKeys = (0..<3).map(StoreFixture.key)
        let allKeys = signers.map(\.address.nodeID) + extraKeys + [StoreFixture.key(99)]
        var store = RecordStore(maxKeys: 6)
        var accessModel: [NodeID] = []
        var clock = now

        func touchModel(_ key: NodeID) {
            accessModel.removeAll { $0 == key }
            accessModel.append(key)
        }

        for _ in 0..<600 {
            if random.below(8) == 0 { clock += random.below(15) }
            let signer = signers[Int(random.below(UInt64(signers.count)))]
            let seq = 1 + random.below(4)
            let timestamp = clock - random.below(6)
            let ttl = UInt32(5 + random.below(55))
            switch random.below(12) {
            case 0, 1, 2, 3:
                let record: SignedRecord
                var key = NodeID.zero
                switch random.below(4) {
                case 0:
                    record = try StoreFixture.endpoint(signer, seq: seq, timestamp: timestamp, ttl: ttl)
                case 1:
                    let types: [UInt8] = [0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x20, 0x90]
                    record = try StoreFixture.sovereign(signer, type: types[Int(random.below(UInt64(types.count)))],
                                                        seq: seq, timestamp: timestamp, ttl: ttl)
                    key = random.below(2) == 0 ? .zero : signer.address.nodeID
                case 2:
                    record = try StoreFixture.topic(signer, type: random.below(3) == 0 ? 0x11 : 0x10, seq: seq,
                                                    timestamp: timestamp, ttl: ttl)
                    key = allKeys[Int(random.below(UInt64(allKeys.count)))]
                default:
                    let recipient = signers[Int(random.below(UInt64(signers.count)))]
                    record = try StoreFixture.mailbox(signer, to: recipient.address, message: UInt8(random.below(7)),
                                                      type: random.below(4) == 0 ? 0x81 : 0x80, seq: seq,
                                                      timestamp: timestamp, ttl: ttl)
                    key = random.below(3) == 0 ? extraKeys[0] : recipient.address.nodeID
                }
                let effective = key.isZero ? record.address.nodeID : key
                let existed = store.contains(effective)
                do {
                    let used = try store.put(record, at: key, now: clock)
                    #expect(used == effective)
                    touchModel(effective)
                    if !existed {
                        while accessModel.count > store.maxKeys {
                            accessModel.remove(at: accessModel.first == effective ? 1 : 0)
                        }
                    }
                } catch {
                    #expect(error == .stale)
                }
            case 4:
                // A misplaced sovereign record changes nothing.
                let before = store.storedEntries.map(\.key)
                #expect(throws: StoreError.self) {
                    try store.put(try StoreFixture.sovereign(signer, type: 0x02, timestamp: clock), at: extraKeys[1], now: clock)
                }
                #expect(store.storedEntries.map(\.key) == before)
            case 5:
                let key = allKeys[Int(random.below(UInt64(allKeys.count)))]
                let types: [UInt8] = [0, 0x10, 0x80]
                let found = store.getAll(key, recType: types[Int(random.below(3))], now: clock)
                #expect(found.allSatisfy { $0.isLiveInStore(now: clock) })
                if store.contains(key) { touchModel(key) }
            case 6:
                let key = allKeys[Int(random.below(UInt64(allKeys.count)))]
                if let best = store.get(key, now: clock) { #expect(best.recType == RecordType.endpoint) }
                if store.contains(key) { touchModel(key) }
            case 7, 8:
                let key = allKeys[Int(random.below(UInt64(allKeys.count)))]
                let types: [UInt8] = [0, 0x01, 0x02, 0x10, 0x11, 0x80]
                store.invalidate(key, recType: types[Int(random.below(UInt64(types.count)))])
            case 9:
                let before = store.recordCount
                let removed = store.sweepExpired(now: clock)
                #expect(store.recordCount == before - removed)
                let stored = store.storedEntries.flatMap(\.records)
                #expect(stored.allSatisfy { !$0.isExpired(now: clock) })
                #expect(store.nextExpiry == stored.map(\.expiresAt).min())
            case 10:
                let limits = [3, 6, 8, 0]
                store.maxKeys = limits[Int(random.below(UInt64(limits.count)))]
            default:
                _ = store.records(by: signer.address, recType: 0, now: clock)
            }
            accessModel.removeAll { !store.contains($0) }
            #expect(store.keysByAccess == accessModel)
            try checkInvariants(store, addresses: signers.map(\.address), now: clock)
        }
    }

    /// Invariants checked against a full scan of the stored lists.
    private func checkInvariants(_ store: RecordStore, addresses: [Address], now: UInt64) throws {
        let entries = store.storedEntries
        #expect(store.keyCount == entries.count)
        #expect(store.recordCount == entries.reduce(0) { $0 + $1.records.count })
        if let earliest = entries.flatMap(\.records).map(\.expiresAt).min() {
            #expect(try #require(store.nextExpiry) <= earliest)
        }
        for (key, records) in entries {
            #expect(!records.isEmpty)
            var counts: [StoreCategory: Int] = [:]
            var mailboxPerSigner: [[UInt8]: Int] = [:]
            for (index, record) in records.enumerated() {
                let category = StoreCategory(record.recType)
                counts[category, default: 0] += 1
                if category == .mailbox { mailboxPerSigner[record.pubkey, default: 0] += 1 }
                if category == .sovereign { #expect(key == record.address.nodeID) }
                for other in records[(index + 1)...] where StoreCategory(other.recType) == category {
                    #expect(!category.sameSlot(record, other))
                }
            }
            #expect(counts[.sovereign, default: 0] <= StoreLimits.maxSovereignPerKey)
            #expect(counts[.topic, default: 0] <= StoreLimits.maxTopicPerKey)
            #expect(counts[.mailbox, default: 0] <= StoreLimits.maxMailboxPerKey)
            #expect(mailboxPerSigner.values.allSatisfy { $0 <= StoreLimits.maxMailboxPerPubkey })
        }
        for address in addresses {
            // The index names exactly the keys holding a record by the address.
            var indexed: Set<NodeID> = []
            store.addressIndex.keys(of: address)?.forEach { indexed.insert($0) }
            let holding = Set(entries.filter { $0.records.contains { $0.address == address } }.map(\.key))
            #expect(indexed == holding)
            for recType: UInt8 in [0, 0x01, 0x10, 0x80] {
                let viaIndex = store.records(by: address, recType: recType, now: now)
                let viaScan = entries.flatMap { entry in
                    entry.records.filter {
                        $0.address == address && (recType == 0 || $0.recType == recType) && $0.isLiveInStore(now: now)
                    }.map { (entry.key, $0) }
                }
                #expect(viaIndex.count == viaScan.count)
                let lhs = Set(viaIndex.map { KeyedRecord(key: $0.key, record: $0.record.record) })
                #expect(lhs == Set(viaScan.map { KeyedRecord(key: $0.0, record: $0.1) }))
            }
        }
    }
}

private struct KeyedRecord: Hashable {
    var key: NodeID
    var record: SignedRecord
}

/// A small deterministic generator so failures replay.
typealias StoreTestRandom = SplitMix64

extension SplitMix64 {
    /// Uniform enough in 0..<bound for tests.
    mutating func below(_ bound: UInt64) -> UInt64 { next() % bound }
}
