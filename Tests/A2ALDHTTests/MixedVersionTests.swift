import A2ALCore
import A2ALProtocol
import A2ALTestSupport
import Testing
@testable import A2ALDHT

/// Our nodes beside peers that behave as the v0.1.7 and v0.2.9 references do
/// (`WireProfile.v017` / `.v029`, built from the rules in docs/protocol.md), on one in-memory
/// network: topic search, mailbox poll and replication work in every direction, nobody is
/// marked bad for sending v0.2.x fields, and nothing we send is dropped by a v0.1.7 peer.
@Suite(.serialized) struct MixedVersionTests {
    static let topic = "lang.translate"

    func topicRecord(_ c: TestCluster, _ p: Int, seq: UInt64 = 1) throws -> SignedRecord {
        let payload = TopicPayload(topic: Self.topic, name: "agent-\(p)", brief: "translates").encoded
        return try SignedRecord.sign(recType: RecordType.topic, payload: payload, seq: seq,
                                     timestamp: c.clock.unixSeconds(), ttl: 600, signer: c.keys[p])
    }

    /// Every health transition into Bad seen so far.
    func badTransitions(_ c: TestCluster) -> [HealthTransition] {
        c.log.transitions.withLock { $0.filter { $0.new == .bad } }
    }

    func drops(_ node: DHTNode) -> UInt64 {
        let s = node.debugStats()
        return s.droppedMalformed + s.droppedUnknownType
    }


    /// Every publisher's records reached a full replica set.
    func replicated(_ c: TestCluster, _ publishers: [Int]) async throws -> Bool {
        try await eventually { publishers.allSatisfy { c.nodes[$0].replicationSummary.replicas >= ReplicationConstants.target } }
    }

    @Test func v029SearchesAndPollsAreAnsweredAndNobodyTurnsBad() async throws {
        // 0–9 ours, 10–19 v0.2.9-style (they flag every search of a watched key).
        try await withCluster(TestCluster(size: 20, profiles: { $0 < 10 ? .current : .v029 }), joined: true) { c in
            let key = TopicKey.key(for: Self.topic)
            for p in [2, 5, 12, 15] { try c.nodes[p].publish(try topicRecord(c, p), at: key) }
            #expect(try await replicated(c, [2, 5, 12, 15]))
            for q in 10..<20 {
                c.nodes[q].watch(key)
                let found = try await c.nodes[q].aggregateRecords(key, recType: RecordType.topic)
                #expect(Set(found.map(\.address)) == Set([2, 5, 12, 15].map { c.nodes[$0].address }), "v0.2.9 node \(q)")
            }
            // Mailbox poll from a v0.2.9 node: flagged FIND_VALUE with rec_type 0x80 at its own id.
            let note = try SignedRecord.sign(recType: RecordType.mailbox, payload: [1, 2, 3], seq: 1,
                                             timestamp: c.clock.unixSeconds(), ttl: 600, signer: c.keys[3])
            try c.nodes[3].publish(note, at: c.nodes[11].nodeID)
            #expect(try await replicated(c, [3]))
            c.nodes[11].watch(c.nodes[11].nodeID)
            let polled = try await c.nodes[11].aggregateRecords(c.nodes[11].nodeID, recType: RecordType.mailbox)
            #expect(polled.map(\.record) == [note])
            // Our nodes saw the flag (so they know those peers are v0.2.4+), answered every flagged
            // request, and dropped nothing.
            let ours = (0..<10).map { c.nodes[$0] }
            #expect(ours.contains { n in (10..<20).contains { n.wireGeneration(of: c.nodes[$0].nodeID) == .v024 } })
            for n in ours { #expect(drops(n) == 0) }
            for q in 10..<20 { #expect(drops(c.nodes[q]) == 0) }
            #expect(badTransitions(c).isEmpty)
        }
    }

    @Test func oursNeverSendALegacyPeerWhatItWouldDrop() async throws {
        // 0–9 ours, 10–19 v0.1.7-style. Searches, polls, duplicates and refusals in every direction.
        try await withCluster(TestCluster(size: 20, profiles: { $0 < 10 ? .current : .v017 }), joined: true) { c in
            let key = TopicKey.key(for: Self.topic)
            for p in [1, 4, 13, 17] { try c.nodes[p].publish(try topicRecord(c, p), at: key) }
            #expect(try await replicated(c, [1, 4, 13, 17]))
            for q in [0, 6, 11, 19] {
                c.nodes[q].watch(key)
                let found = try await c.nodes[q].aggregateRecords(key, recType: RecordType.topic)
                #expect(Set(found.map(\.address)) == Set([1, 4, 13, 17].map { c.nodes[$0].address }), "node \(q)")
            }
            // Mailbox poll both ways: a legacy sender to one of ours, and ours to a legacy recipient.
            for (sender, recipient) in [(14, 3), (5, 16)] {
                let note = try SignedRecord.sign(recType: RecordType.mailbox, payload: [UInt8(sender)], seq: 1,
                                                 timestamp: c.clock.unixSeconds(), ttl: 600, signer: c.keys[sender])
                try c.nodes[sender].publish(note, at: c.nodes[recipient].nodeID)
                #expect(try await replicated(c, [sender]))
                c.nodes[recipient].watch(c.nodes[recipient].nodeID)
                let polled = try await c.nodes[recipient].aggregateRecords(c.nodes[recipient].nodeID, recType: RecordType.mailbox)
                #expect(polled.map(\.record) == [note], "mailbox \(sender) -> \(recipient)")
            }
            // Duplicates and a refusal sent by us to every legacy node: answered, and the answers
            // they get from us are ones they accept.
            let own = try endpointRecord(c.keys[2], now: c.clock.unixSeconds())
            for q in 10..<20 {
                #expect(try await c.nodes[2].storeAt(c.address(q), key: .zero, record: own, timeout: .seconds(5), attempts: 1) == .stored)
                // v0.1.7 answers a duplicate {1:false}: a refusal without reason.
                #expect(try await c.nodes[2].storeAt(c.address(q), key: .zero, record: own, timeout: .seconds(5), attempts: 1)
                        == .refused(.unexplained))
            }
            // Legacy nodes re-STORE at ours: a duplicate gets {1:true} (never `already_had`).
            let legacyOwn = try endpointRecord(c.keys[14], now: c.clock.unixSeconds())
            for q in 0..<10 {
                #expect(try await c.nodes[14].storeAt(c.address(q), key: .zero, record: legacyOwn, timeout: .seconds(5), attempts: 1) == .stored)
                #expect(try await c.nodes[14].storeAt(c.address(q), key: .zero, record: legacyOwn, timeout: .seconds(5), attempts: 1) == .stored)
                #expect(try await c.nodes[14].storeAt(c.address(q), key: NodeID.random(), record: legacyOwn, timeout: .seconds(5),
                                                      attempts: 1) == .refused(.unexplained))
            }
            for q in 10..<20 { #expect(drops(c.nodes[q]) == 0, "legacy node \(q) dropped something we sent") }
            for q in 0..<10 { #expect(drops(c.nodes[q]) == 0) }
            #expect(badTransitions(c).isEmpty)
        }
    }

    @Test func replicationKeepsV029PeersAsReplicasAcrossRenewals() async throws {
        // Node 0 (ours) publishes into a network of v0.2.9-style peers, then republishes the
        // same record: they answer `already_had` (we proved nothing to them) or `{1:true}`, and
        // every replica stays in the set.
        try await withCluster(TestCluster(size: 12, profiles: { $0 == 0 ? .current : .v029 }), joined: true) { c in
            let record = try endpointRecord(c.keys[0], now: c.clock.unixSeconds())
            try c.nodes[0].publish(record)
            #expect(try await eventually { c.nodes[0].replicationSummary.replicas >= ReplicationConstants.target })
            let before = Set(c.nodes[0].replicaHolders(key: c.nodes[0].nodeID, publisher: c.nodes[0].nodeID, recType: 1))
            let rk = ReplicaKey(storeKey: c.nodes[0].nodeID, publisher: c.nodes[0].nodeID, recType: 1)
            let targets = before.compactMap { id in c.nodes[0].dialAddress(of: id).map { (id, $0) } }
            await c.nodes[0].store(record, in: rk, at: targets)
            let after = Set(c.nodes[0].replicaHolders(key: c.nodes[0].nodeID, publisher: c.nodes[0].nodeID, recType: 1))
            #expect(!before.isEmpty && after == before)
            // A v0.2.9 peer re-storing at us: we answer {1:true}; once it has shown it is v0.1.8+,
            // {1:true, 2:true}.
            let theirs = try endpointRecord(c.keys[5], now: c.clock.unixSeconds())
            #expect(try await c.nodes[5].storeAt(c.address(0), key: .zero, record: theirs, timeout: .seconds(5), attempts: 1) == .stored)
            #expect(try await c.nodes[5].storeAt(c.address(0), key: .zero, record: theirs, timeout: .seconds(5), attempts: 1)
                    == (c.nodes[0].wireGeneration(of: c.nodes[5].nodeID) >= .v018 ? .alreadyHad : .stored))
            #expect(badTransitions(c).isEmpty)
        }
    }

    @Test func aReasonlessRefusalDropsTheReplicaAndAnInvalidRecordKeepsIt() async throws {
        try await withCluster(TestCluster(size: 6, profiles: { $0 == 0 ? .current : ($0 < 3 ? .v017 : .v029) }), joined: true) { c in
            let record = try endpointRecord(c.keys[0], now: c.clock.unixSeconds())
            try c.nodes[0].publish(record)
            #expect(try await eventually { c.nodes[0].replicationSummary.replicas >= 5 })
            let rk = ReplicaKey(storeKey: c.nodes[0].nodeID, publisher: c.nodes[0].nodeID, recType: 1)
            let targets = (1..<6).compactMap { i in c.nodes[0].dialAddress(of: c.nodes[i].nodeID).map { (c.nodes[i].nodeID, $0) } }
            // Re-storing the same record: v0.1.7 answers {1:false} (it leaves the set, as v0.2.x
            // publishers do); v0.2.9 answers already_had (it stays).
            await c.nodes[0].store(record, in: rk, at: targets)
            let holders = Set(c.nodes[0].replicaHolders(key: rk.storeKey, publisher: rk.publisher, recType: 1))
            #expect(holders == Set((3..<6).map { c.nodes[$0].nodeID }))
            // An expired record is refused with reason 2 by v0.2.9 peers: they stay.
            let stale = try endpointRecord(c.keys[0], seq: 9, now: c.clock.unixSeconds() - 7200, ttl: 60)
            await c.nodes[0].store(stale, in: rk, at: targets.filter { holders.contains($0.0) })
            #expect(Set(c.nodes[0].replicaHolders(key: rk.storeKey, publisher: rk.publisher, recType: 1)) == holders)
            #expect(badTransitions(c).isEmpty)
        }
    }

    @Test func aNewerDelegationRevokesAStolenOperationalKey() async throws {
        try await withCluster(TestCluster(size: 8, profiles: { [.current, .v029][$0 % 2] }), joined: true) { c in
            let master = Ed25519.KeyPair.generate()
            let stolen = Ed25519.KeyPair.generate(), fresh = Ed25519.KeyPair.generate()
            let now = c.clock.unixSeconds()
            let oldProof = DelegationProof.signEd25519(master: master, opPub: stolen.publicKey, issuedAt: now - 10_000, expiresAt: 0)
            let newProof = DelegationProof.signEd25519(master: master, opPub: fresh.publicKey, issuedAt: now - 100, expiresAt: 0)
            let payload = EndpointPayload(endpoints: ["quic://10.0.0.9:4433"], natType: 1).encoded
            let thief = try SignedRecord.sign(address: master.address, recType: RecordType.endpoint, payload: payload,
                                              seq: 9_000_000_000_000_000_000, timestamp: now, ttl: 3600, signer: stolen,
                                              delegation: oldProof.encoded)
            let owner = try SignedRecord.sign(address: master.address, recType: RecordType.endpoint, payload: payload,
                                              seq: 1, timestamp: now, ttl: 3600, signer: fresh, delegation: newProof.encoded)
            #expect(owner.isNewer(than: thief) && !thief.isNewer(than: owner))
            // The thief publishes first, the owner second; then the thief again.
            try c.nodes[1].publish(thief)
            #expect(try await eventually { c.nodes[1].replicationSummary.replicas >= 4 })
            try c.nodes[2].publish(owner)
            #expect(try await eventually { c.nodes[2].replicationSummary.replicas >= 4 })
            let holders = c.nodes[2].replicaHolders(key: master.address.nodeID, publisher: master.address.nodeID, recType: 1)
            for id in holders {
                guard let addr = c.nodes[1].dialAddress(of: id) else { continue }
                let outcome = try await c.nodes[1].storeAt(addr, expectedID: id, key: .zero, record: thief, timeout: .seconds(5), attempts: 1)
                #expect(outcome.holdsRecord, "an older record is answered as held, never as a refusal")
            }
            for q in [0, 3, 4, 5, 6, 7] {
                #expect(try await c.nodes[q].resolve(master.address).record == owner, "node \(q)")
            }
        }
    }
}
