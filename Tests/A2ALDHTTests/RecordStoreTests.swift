import Testing
import Synchronization
import A2ALCore
import A2ALProtocol
@testable import A2ALDHT

/// The reference's store tests (docs/routing.md §7 items 19–23) and the put pipeline.
@Suite struct RecordStoreTests {
    let now = StoreFixture.now

    // MARK: §7 items 19–23

    @Test func item19EndpointAtZeroKeyWithoutAuthority() throws {
        let signer = try StoreFixture.signer(1)
        var store = RecordStore()
        let key = try store.put(try StoreFixture.endpoint(signer), at: .zero, now: now)
        #expect(key == signer.address.nodeID)
        #expect(store.keyCount == 1)
        #expect(store.recordCount == 1)
    }

    @Test func item20AllowingAuthority() throws {
        let signer = try StoreFixture.signer(1)
        var store = RecordStore(authority: { _, _, _ in nil })
        try store.put(try StoreFixture.endpoint(signer), at: .zero, now: now)
        #expect(store.getAll(signer.address.nodeID, recType: 0, now: now).count == 1)
    }

    @Test func item21RejectingAuthorityStoresNothing() throws {
        let signer = try StoreFixture.signer(1)
        var store = RecordStore(authority: { _, _, _ in "policy says no" })
        let record = try StoreFixture.endpoint(signer)
        #expect(throws: StoreError.unauthorized("policy says no")) {
            try store.put(record, at: .zero, now: now)
        }
        #expect(store.keyCount == 0)
        #expect(store.recordCount == 0)
        #expect(store.records(by: signer.address, recType: 0, now: now).isEmpty)
        #expect(store.nextExpiry == nil)
    }

    @Test func item22TopicSeqTwoReplacesSeqOne() throws {
        let signer = try StoreFixture.signer(1)
        var store = RecordStore()
        let key = StoreFixture.topicKey
        try store.put(try StoreFixture.topic(signer, seq: 1), at: key, now: now)
        try store.put(try StoreFixture.topic(signer, seq: 2), at: key, now: now)
        let records = store.getAll(key, recType: RecordType.topic, now: now)
        #expect(records.count == 1)
        #expect(records.first?.seq == 2)
    }

    @Test func item23SovereignAtForeignKeyIsRefusedWithoutAuthority() throws {
        let signer = try StoreFixture.signer(1)
        var store = RecordStore()
        let foreign = StoreFixture.key(9)
        #expect(throws: StoreError.keyMismatch(expected: signer.address.nodeID, got: foreign)) {
            try store.put(try StoreFixture.sovereign(signer, type: 0x02), at: foreign, now: now)
        }
        #expect(store.keyCount == 0)
    }

    // MARK: Key binding

    @Test func unknownCategoryIsBoundLikeSovereign() throws {
        let signer = try StoreFixture.signer(1)
        var store = RecordStore()
        for type: UInt8 in [0x00, 0x20, 0x7F, 0x90, 0xFF] {
            let record = try StoreFixture.sovereign(signer, type: type)
            #expect(throws: StoreError.keyMismatch(expected: signer.address.nodeID, got: StoreFixture.key(1))) {
                try store.put(record, at: StoreFixture.key(1), now: now)
            }
            #expect(try store.put(record, at: .zero, now: now) == signer.address.nodeID)
        }
        #expect(store.getAll(signer.address.nodeID, recType: 0, now: now).count == 5)
    }

    @Test func topicAndMailboxMayLiveAtAnyKey() throws {
        let signer = try StoreFixture.signer(1)
        let recipient = try StoreFixture.signer(2).address
        var store = RecordStore()
        try store.put(try StoreFixture.topic(signer), at: StoreFixture.key(1), now: now)
        try store.put(try StoreFixture.mailbox(signer, to: recipient), at: StoreFixture.key(2), now: now)
        #expect(store.keyCount == 2)
    }

    @Test func zeroKeyDerivesTheAddressKeyForEveryCategory() throws {
        let signer = try StoreFixture.signer(1)
        var store = RecordStore()
        let own = signer.address.nodeID
        #expect(try store.put(try StoreFixture.topic(signer), at: .zero, now: now) == own)
        #expect(try store.put(try StoreFixture.mailbox(signer, to: signer.address), at: .zero, now: now) == own)
        #expect(store.keyCount == 1)
    }

    // MARK: Verification

    @Test func expiredRecordIsRefused() throws {
        let signer = try StoreFixture.signer(1)
        var store = RecordStore()
        let record = try StoreFixture.endpoint(signer, timestamp: now - 61, ttl: 60)
        #expect(throws: StoreError.invalid(.expired(expiresAt: now - 1, now: now))) {
            try store.put(record, at: .zero, now: now)
        }
        #expect(store.keyCount == 0)
        // Still valid at exactly timestamp + ttl.
        try store.put(try StoreFixture.endpoint(signer, timestamp: now - 60, ttl: 60), at: .zero, now: now)
    }

    @Test func sixtySecondsOfFutureSkewAcceptedSixtyOneRefused() throws {
        let signer = try StoreFixture.signer(1)
        var store = RecordStore()
        let late = try StoreFixture.endpoint(signer, seq: 2, timestamp: now + 61)
        #expect(throws: StoreError.invalid(.timestampInFuture(timestamp: now + 61, now: now))) {
            try store.put(late, at: .zero, now: now)
        }
        try store.put(try StoreFixture.endpoint(signer, seq: 1, timestamp: now + 60), at: .zero, now: now)
        #expect(store.get(signer.address.nodeID, now: now)?.timestamp == now + 60)
    }

    @Test func badSignatureIsRefused() throws {
        let signer = try StoreFixture.signer(1)
        var store = RecordStore()
        var record = try StoreFixture.endpoint(signer)
        record.seq += 1
        #expect(throws: StoreError.invalid(.badSignature)) { try store.put(record, at: .zero, now: now) }
        #expect(store.keyCount == 0)
    }

    @Test func invalidPayloadIsRefused() throws {
        let signer = try StoreFixture.signer(1)
        var store = RecordStore()
        let oversize = try SignedRecord.sign(recType: RecordType.mailbox, payload: [UInt8](repeating: 1, count: 513),
                                             seq: 1, timestamp: now, ttl: 60, signer: signer)
        #expect(throws: StoreError.self) { try store.put(oversize, at: StoreFixture.key(1), now: now) }
        #expect(store.keyCount == 0)
    }

    // MARK: Authority

    @Test func authoritySeesTheDerivedKeyAndNow() throws {
        let signer = try StoreFixture.signer(1)
        let seen = StoreAuthorityCalls()
        var store = RecordStore(authority: { key, record, nowUnix in
            seen.record(key: key, address: record.address, now: nowUnix)
            return nil
        })
        try store.put(try StoreFixture.endpoint(signer), at: .zero, now: now)
        #expect(seen.calls == [StoreAuthorityCalls.Call(key: signer.address.nodeID, address: signer.address, now: now)])
    }

    @Test func authorityIsNotAskedAboutInvalidOrMisplacedRecords() throws {
        let signer = try StoreFixture.signer(1)
        let seen = StoreAuthorityCalls()
        var store = RecordStore(authority: { key, record, nowUnix in
            seen.record(key: key, address: record.address, now: nowUnix)
            return nil
        })
        _ = try? store.put(try StoreFixture.endpoint(signer, timestamp: now - 100), at: .zero, now: now)
        _ = try? store.put(try StoreFixture.endpoint(signer), at: StoreFixture.key(1), now: now)
        #expect(seen.calls.isEmpty)
    }

    @Test func recordAuthorityPolicyAllowsSelfSignedAndRefusesForeignAddress() throws {
        let signer = try StoreFixture.signer(1)
        let other = try StoreFixture.signer(2)
        var store = RecordStore(authority: RecordStore.recordAuthority)
        try store.put(try StoreFixture.endpoint(signer), at: .zero, now: now)
        // Signed by `signer` for `other`'s address with a junk "delegation": not authorised.
        let forged = try SignedRecord.sign(address: other.address, recType: RecordType.topic,
                                           payload: TopicPayload(topic: "x", brief: "b").encoded, seq: 1,
                                           timestamp: now, ttl: 60, signer: signer, delegation: [0xA0])
        #expect(throws: StoreError.self) { try store.put(forged, at: StoreFixture.key(3), now: now) }
        #expect(store.keyCount == 1)
    }

    // MARK: Reads

    @Test func getReturnsNewestEndpointOnly() throws {
        let signer = try StoreFixture.signer(1)
        let key = signer.address.nodeID
        var store = RecordStore()
        try store.put(try StoreFixture.sovereign(signer, type: 0x02), at: key, now: now)
        #expect(store.get(key, now: now) == nil)
        try store.put(try StoreFixture.endpoint(signer, seq: 1), at: key, now: now)
        try store.put(try StoreFixture.endpoint(signer, seq: 2, host: "10.0.0.2"), at: key, now: now)
        try store.put(try StoreFixture.sovereign(signer, type: 0x03), at: key, now: now)
        let newest = store.get(key, now: now)
        let best = try #require(newest)
        #expect(best.recType == RecordType.endpoint)
        #expect(best.seq == 2)
        #expect(store.get(StoreFixture.key(1), now: now) == nil)
    }

    @Test func getAllFiltersByTypeInStoredOrder() throws {
        let agent = try StoreFixture.signer(1)
        let sender = try StoreFixture.signer(2)
        let key = agent.address.nodeID
        var store = RecordStore()
        let endpoint = try StoreFixture.endpoint(agent)
        let letter = try StoreFixture.mailbox(sender, to: agent.address)
        let custom = try StoreFixture.sovereign(agent, type: 0x02)
        try store.put(endpoint, at: .zero, now: now)
        try store.put(letter, at: key, now: now)
        try store.put(custom, at: key, now: now)
        // Writing a sovereign record moves the sovereign group behind the mailbox group.
        #expect(store.getAll(key, recType: 0, now: now).map(\.record) == [letter, endpoint, custom])
        #expect(store.getAll(key, recType: RecordType.mailbox, now: now).map(\.record) == [letter])
        #expect(store.getAll(key, recType: 0x02, now: now).map(\.record) == [custom])
        #expect(store.getAll(key, recType: 0x81, now: now).isEmpty)
        #expect(store.getAll(StoreFixture.key(7), recType: 0, now: now).isEmpty)
    }

    @Test func debugRowsListLiveRecords() throws {
        let signer = try StoreFixture.signer(1)
        var store = RecordStore()
        let record = try StoreFixture.endpoint(signer, seq: 3)
        try store.put(record, at: .zero, now: now)
        try store.put(try StoreFixture.topic(signer, ttl: 5), at: StoreFixture.topicKey, now: now)
        let rows = store.debugRows(now: now + 10)
        #expect(rows.count == 1)
        let row = try #require(rows.first)
        #expect(row.key == signer.address.nodeID)
        #expect(row.keyNodeIDHex == signer.address.nodeID.bytes.hex)
        #expect(row.addressHex == signer.address.bytes.hex)
        #expect(row.recType == 1 && row.seq == 3 && row.timestamp == now && row.ttlSeconds == 60)
        #expect(row.payloadCBORLength == record.payload?.count)
        #expect(store.debugRows(now: now).count == 2)
    }

    @Test func errorDescriptionsNameTheReferenceStaleText() {
        #expect(StoreError.stale.description == "dht: stale record")
        #expect(StoreError.unauthorized("x").description.contains("x"))
    }
}

/// Collects authority calls from a @Sendable closure.
final class StoreAuthorityCalls: Sendable {
    struct Call: Equatable, Sendable {
        var key: NodeID
        var address: Address
        var now: UInt64
    }

    private let storage = Mutex<[Call]>([])

    func record(key: NodeID, address: Address, now: UInt64) {
        storage.withLock { $0.append(Call(key: key, address: address, now: now)) }
    }

    var calls: [Call] { storage.withLock { $0 } }
}
