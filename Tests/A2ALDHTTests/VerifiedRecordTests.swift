import A2ALCore
import A2ALProtocol
import Synchronization
import Testing
@testable import A2ALDHT

/// The verification boundary: a record is verified once, by `RecordVerifier`, outside the node's
/// lock, and whatever holds a `VerifiedRecord` never checks it again.
@Suite struct VerifiedRecordTests {
    /// Counts the authority policy's calls per record signature: the policy runs once in every
    /// verification that gets past the signature, so it counts verifications.
    final class Verifications: Sendable {
        let calls = Mutex<[[UInt8]: Int]>([:])
        /// When set, every verification also reads this node's locked state, which traps
        /// ("Recursive call to lock Mutex") if the verification runs under that lock.
        let lockProbe = Mutex<DHTNode?>(nil)
        let probed = Mutex(0)

        var authority: StoreAuthority {
            { key, record, now in
                self.calls.withLock { $0[record.signature, default: 0] += 1 }
                if let node = self.lockProbe.withLock({ $0 }) {
                    _ = node.storeKeyCount
                    self.probed.withLock { $0 += 1 }
                }
                return DHTNode.referenceAuthority(key, record, now)
            }
        }

        func count(_ record: SignedRecord) -> Int { calls.withLock { $0[record.signature] ?? 0 } }
    }

    @Test func aRecordFromALookupIsVerifiedOnceAndStoredRecordsNeverAgain() async throws {
        let verifications = Verifications()
        let c = try TestCluster(size: 2, authority: verifications.authority)
        try await c.start()
        _ = try await c.nodes[0].ping(c.address(1), timeout: .seconds(60))
        let record = try endpointRecord(c.keys[1], now: c.clock.unixSeconds())
        try c.nodes[1].localPut(record)
        #expect(verifications.count(record) == 1, "verified once on its way into the holder's store")

        // The querier verifies it once on arrival; the lookup's acceptance, resolve's choice
        // and its decoded payload all come from that one verification.
        let resolved = try await c.nodes[0].resolve(c.nodes[1].address, timeout: .seconds(60))
        #expect(resolved.record == record)
        #expect(resolved.payload.endpoints == ["quic://10.0.0.1:4242"])
        #expect(verifications.count(record) == 2)

        // Reads of the holder's own copy — the local answer of findRecords, a FIND_VALUE
        // answer, a local get — are never verified again.
        for _ in 0..<3 { _ = try await c.nodes[1].findRecords(c.nodes[1].nodeID, recType: RecordType.endpoint) }
        let answer = try await c.nodes[0].findValue(at: c.address(1), key: c.nodes[1].nodeID, timeout: .seconds(60))
        #expect(answer.records == [record])
        #expect(c.nodes[1].localGet(c.nodes[1].nodeID).map(\.record) == [record])
        #expect(verifications.count(record) == 2)
        await c.close()
    }

    @Test func aTamperedRecordNeverBecomesAVerifiedRecord() throws {
        let verifier = RecordVerifier(authority: DHTNode.referenceAuthority)
        let key = Ed25519.KeyPair.generate()
        let now = SystemClock().unixSeconds()
        let record = try endpointRecord(key, now: now)
        let verified = try verifier.verify(record, at: .zero, now: now)
        #expect(verified.key == record.address.nodeID)
        #expect(verified.decoded == .endpoint(try EndpointPayload(encoded: record.payload ?? [])))

        var badSignature = record
        badSignature.signature[10] ^= 0x01
        #expect(throws: StoreError.invalid(.badSignature)) { try verifier.verify(badSignature, at: .zero, now: now) }
        var badPayload = record
        badPayload.payload = EndpointPayload(endpoints: ["quic://10.6.6.6:1"]).encoded
        #expect(throws: StoreError.invalid(.badSignature)) { try verifier.verify(badPayload, at: .zero, now: now) }
        let elsewhere = NodeID.random()
        #expect(throws: StoreError.keyMismatch(expected: record.address.nodeID, got: elsewhere)) {
            try verifier.verify(record, at: elsewhere, now: now)
        }
        let stolen = try SignedRecord.sign(address: record.address, recType: RecordType.endpoint, payload: record.payload,
                                           seq: 2, timestamp: now, ttl: 60, signer: Ed25519.KeyPair.generate(),
                                           delegation: [1, 2, 3])
        #expect(throws: (any Error).self) { try verifier.verify(stolen, at: .zero, now: now) }
        #expect(!verified.isValid(now: record.expiresAt + 1), "its window still closes")
    }

    @Test func inboundStoresAreVerifiedOutsideTheNodeLock() async throws {
        let verifications = Verifications()
        try await withCluster(TestCluster(size: 2, authority: verifications.authority)) { c in
            // The probe holds the node that holds the policy: let go of it, or the two keep
            // each other alive (LeakSanitizer).
            verifications.lockProbe.withLock { $0 = c.nodes[1] }
            defer { verifications.lockProbe.withLock { $0 = nil } }
            let record = try endpointRecord(c.keys[0], now: c.clock.unixSeconds())
            let outcome = try await c.nodes[0].storeAt(c.address(1), key: .zero, record: record, timeout: .seconds(60), attempts: 1)
            #expect(outcome == .stored)
            #expect(verifications.count(record) == 1)
            #expect(verifications.probed.withLock { $0 } == 1, "the verification read the node's locked state without deadlock")
        }
    }
}
