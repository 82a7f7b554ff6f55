import A2ALCore
import A2ALProtocol
import A2ALTestSupport
import Testing
@testable import A2ALDHT

/// Publishing and replication on an in-memory network.
@Suite(.serialized) struct PublishReplicationTests {
    func waitForReplication(_ c: TestCluster, _ publishers: Range<Int>,
                            sourceLocation: SourceLocation = #_sourceLocation) async throws {
        // 60 nodes replicating on a real clock: under a sanitizer on a busy 2-core machine this
        // takes 10–15 s (5 s otherwise), so the bound is wide; it waits for the event, not a time.
        try await waitUntil(seconds: 30, { publishers.allSatisfy { c.nodes[$0].replicationSummary.replicas >= ReplicationConstants.target } },
                            sourceLocation: sourceLocation)
    }

    @Test func everyEndpointResolvesFromEveryOtherNode() async throws {
        try await withCluster(TestCluster(size: 60), joined: true) { c in
            for p in 0..<60 {
                try c.nodes[p].publishOwnEndpoint(EndpointPayload(endpoints: ["quic://10.8.0.\(p):4433"], natType: 1))
            }
            try await waitForReplication(c, 0..<60)
            var failures = 0
            for q in 0..<60 {
                for p in [(q + 1) % 60, (q + 17) % 60, (q + 42) % 60] {
                    guard let r = try? await c.nodes[q].resolve(c.nodes[p].address) else { failures += 1; continue }
                    #expect(r.payload.endpoints == ["quic://10.8.0.\(p):4433"])
                }
            }
            #expect(failures == 0)
            #expect(c.nodes[5].replicationSummary.sets == 1)
        }
    }

    @Test func mailboxNoteReachesItsRecipientAndDecrypts() async throws {
        try await withCluster(TestCluster(size: 40), joined: true) { c in
            let sender = 3, recipient = 29
            let payload = try MailboxCrypto.seal(message: MailboxMessage(msgType: MailboxMessage.Kind.text, body: Array("hi there".utf8)),
                                                 sender: c.nodes[sender].address, recipient: c.nodes[recipient].address,
                                                 recipientPublicKey: c.keys[recipient].publicKey)
            let now = c.clock.unixSeconds()
            let note = try SignedRecord.sign(recType: RecordType.mailbox, payload: payload.encoded, seq: now * 1_000_000_000,
                                             timestamp: now, ttl: 3600, signer: c.keys[sender])
            try c.nodes[sender].publish(note, at: c.nodes[recipient].nodeID)
            try await waitForReplication(c, sender..<(sender + 1))
            let found = try await c.nodes[recipient].aggregateRecords(c.nodes[recipient].nodeID, recType: RecordType.mailbox)
            #expect(found.count == 1)
            let opened = try MailboxCrypto.open(record: try #require(found.first).record, ownAddress: c.nodes[recipient].address,
                                                ownSeed: c.keys[recipient].seed)
            #expect(opened.sender == c.nodes[sender].address && opened.message.body == Array("hi there".utf8))
        }
    }

    @Test func topicWithTwentyPublishersReturnsAllFromAnyNode() async throws {
        try await withCluster(TestCluster(size: 60), joined: true) { c in
            let key = TopicKey.key(for: "lang.translate")
            let now = c.clock.unixSeconds()
            for p in 20..<40 {
                let payload = TopicPayload(topic: "lang.translate", name: "agent-\(p)", protocols: ["a2a"], brief: "translation").encoded
                let rec = try SignedRecord.sign(recType: RecordType.topic, payload: payload, seq: now * 1_000_000_000,
                                                timestamp: now, ttl: 3600, signer: c.keys[p])
                try c.nodes[p].publish(rec, at: key)
            }
            try await waitForReplication(c, 20..<40)
            for q in [0, 7, 59] {
                let found = try await c.nodes[q].aggregateRecords(key, recType: RecordType.topic)
                #expect(Set(found.map(\.address)) == Set((20..<40).map { c.nodes[$0].address }))
            }
        }
    }

    @Test func deadReplicaHoldersAreReplacedAndTheRecordStaysResolvable() async throws {
        try await withCluster(TestCluster(size: 70), joined: true) { c in
            let publisher = 0
            let record = try c.nodes[publisher].publishOwnEndpoint(EndpointPayload(endpoints: ["quic://10.8.1.1:4433"]))
            try await waitForReplication(c, 0..<1)
            let key = c.nodes[publisher].nodeID
            let holders = c.nodes[publisher].replicaHolders(key: key, publisher: key, recType: RecordType.endpoint)
            #expect(holders.count >= ReplicationConstants.target)
            // Kill all but five holders.
            let doomed = Set(holders.dropFirst(5))
            for i in 1..<70 where doomed.contains(c.nodes[i].nodeID) { await c.nodes[i].close() }
            // Probe passes: fail once, fail twice (bad, refill), grace over (evicted, refill).
            for _ in 0..<3 {
                c.nodes[publisher].makeReplicaProbesDue()
                await c.nodes[publisher].runMaintenancePass()
            }
            let now = c.nodes[publisher].replicaHolders(key: key, publisher: key, recType: RecordType.endpoint)
            #expect(Set(now).isDisjoint(with: doomed))
            #expect(now.count >= ReplicationConstants.target)
            // Anyone alive still resolves it (the publisher answers for itself, too; ask others).
            let alive = (1..<70).filter { !doomed.contains(c.nodes[$0].nodeID) }
            for q in alive.prefix(5) {
                #expect(try await c.nodes[q].resolve(c.nodes[publisher].address).record == record)
            }
        }
    }

    @Test func replicasHeardFromRecentlyAreNotPingedAgain() async throws {
        try await withCluster(TestCluster(size: 40), joined: true) { c in
            try c.nodes[0].publishOwnEndpoint(EndpointPayload(endpoints: ["quic://10.8.3.1:4433"]))
            try await waitForReplication(c, 0..<1)
            let key = c.nodes[0].nodeID
            let holders = c.nodes[0].replicaHolders(key: key, publisher: key, recType: RecordType.endpoint)
            // The first probe of each asks for the record itself (a STORE's acknowledgement does
            // not show it was kept); every honest holder shows it.
            c.nodes[0].makeReplicaProbesDue(forcePing: false)
            await c.nodes[0].runMaintenancePass()
            #expect(c.nodes[0].replicaHolders(key: key, publisher: key, recType: RecordType.endpoint).count == holders.count)
            // Every holder just answered: a due probe is settled without a PING.
            c.nodes[0].makeReplicaProbesDue(forcePing: false)
            let quiet0 = c.network.stats.sent
            await c.nodes[0].runMaintenancePass()
            let quiet = c.network.stats.sent - quiet0
            // Forced, every holder is pinged (request and reply: two datagrams each).
            c.nodes[0].makeReplicaProbesDue(forcePing: true)
            let forced0 = c.network.stats.sent
            await c.nodes[0].runMaintenancePass()
            let forced = c.network.stats.sent - forced0
            #expect(forced >= UInt64(2 * holders.count))
            #expect(quiet + UInt64(holders.count) <= forced, "quiet pass sent \(quiet), forced \(forced)")
            #expect(c.nodes[0].replicaHolders(key: key, publisher: key, recType: RecordType.endpoint).count == holders.count)
        }
    }

    @Test func tenPercentChurnKeepsEveryRecordResolvable() async throws {
        try await withCluster(TestCluster(size: 60), joined: true) { c in
            for p in 0..<60 {
                try c.nodes[p].publishOwnEndpoint(EndpointPayload(endpoints: ["quic://10.8.2.\(p):4433"]))
            }
            try await waitForReplication(c, 0..<60)
            // 10% of the nodes leave, publishers among them.
            let gone = Set([4, 13, 22, 31, 40, 49])
            for i in gone { await c.nodes[i].close() }
            let alive = (0..<60).filter { !gone.contains($0) }
            // Maintenance notices the dead replicas and refills (probes made due instead of waiting).
            for _ in 0..<3 {
                await withTaskGroup(of: Void.self) { group in
                    for i in alive {
                        group.addTask {
                            c.nodes[i].makeReplicaProbesDue()
                            await c.nodes[i].runMaintenancePass()
                        }
                    }
                }
            }
            var failures: [(Int, Int)] = []
            for q in alive.prefix(12) {
                for p in 0..<60 where p != q {
                    guard let r = try? await c.nodes[q].resolve(c.nodes[p].address) else { failures.append((q, p)); continue }
                    #expect(r.payload.endpoints == ["quic://10.8.2.\(p):4433"])
                }
            }
            #expect(failures.isEmpty, "unresolved (querier, publisher): \(failures)")
        }
    }
}
