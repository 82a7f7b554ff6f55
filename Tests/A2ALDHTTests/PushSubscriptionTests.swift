import A2ALCore
import A2ALProtocol
import A2ALTestSupport
import Testing
@testable import A2ALDHT

/// One-shot push subscriptions on the in-memory network (docs/protocol.md, "One-shot push
/// subscriptions"): both roles, renewal by ACK, and hostile pushes, ACKs and registrations.
@Suite(.serialized) struct PushSubscriptionTests {
    let key = TopicKey.key(for: "push.test")

    func topicRecord(_ c: TestCluster, _ p: Int, seq: UInt64) throws -> SignedRecord {
        try SignedRecord.sign(recType: RecordType.topic, payload: TopicPayload(topic: "push.test", name: "agent-\(p)-\(seq)").encoded,
                              seq: seq, timestamp: c.clock.unixSeconds(), ttl: 600, signer: c.keys[p])
    }


    func pushes(_ c: TestCluster, to node: Int) -> [SignedRecord] {
        c.log.pushed.withLock { $0.filter { $0.node == node }.map(\.record) }
    }

    /// Our storing side: a v0.2.x querier (node 0) subscribes at our node 1; each STORE of a
    /// new record there is pushed within the STORE's own exchange — the watcher sends nothing
    /// in between — and the ACK's renewal keeps the subscription for the next one.
    @Test func ourNodePushesNewRecordsToAV029Subscriber() async throws {
        try await withCluster(TestCluster(size: 3, config: .init(oneWayLatency: .milliseconds(20)), profiles: { $0 == 0 ? .v029 : .current })) { c in
            try c.nodes[1].localPut(try topicRecord(c, 2, seq: 1), at: key)
            c.nodes[0].watch(key)
            let first = try await c.nodes[0].findValue(at: c.address(1), expectedID: c.nodes[1].nodeID, key: key, recType: RecordType.topic)
            #expect(first.records.count == 1)
            #expect(c.nodes[1].debugStats().push.subscribers == 1)
            #expect(c.nodes[1].wireGeneration(of: c.nodes[0].nodeID) == .v024)

            for seq: UInt64 in 2...3 {
                let txBefore = c.nodes[0].debugStats().txPackets
                let record = try topicRecord(c, 2, seq: seq)
                #expect(try await c.nodes[2].storeAt(c.address(1), expectedID: c.nodes[1].nodeID, key: key, record: record) == .stored)
                #expect(try await eventually { pushes(c, to: 0).contains(record) })
                // The ACK leaves after the push is delivered and is counted once sent: once the
                // storing node has it and the watcher counted a datagram, that must be the only
                // one since the STORE, so the record came by push.
                #expect(try await eventually {
                    c.nodes[1].debugStats().push.acknowledged == seq - 1 && c.nodes[0].debugStats().txPackets > txBefore
                })
                #expect(c.nodes[0].debugStats().txPackets == txBefore + 1)
                #expect(c.nodes[1].debugStats().push.subscribers == 1, "the ACK renewed the subscription")
            }
            // Unwatched: the next push is acknowledged without renewal, and the one after is never sent.
            c.nodes[0].unwatch(key)
            #expect(try await c.nodes[2].storeAt(c.address(1), key: key, record: try topicRecord(c, 2, seq: 4)) == .stored)
            #expect(try await eventually { c.nodes[1].debugStats().push.acknowledged == 3 })
            #expect(c.nodes[1].debugStats().push.subscribers == 0)
            #expect(try await c.nodes[2].storeAt(c.address(1), key: key, record: try topicRecord(c, 2, seq: 5)) == .stored)
            #expect(c.nodes[1].debugStats().push.sent == 3)
            // A duplicate STORE pushes nothing.
            #expect(c.nodes[1].debugStats().push.subscribers == 0)
        }
    }

    /// Our querier side: once a peer has shown it is v0.2.4+, lookups at a watched key ask it for
    /// pushes; its push is verified and delivered, and nothing is asked of peers not known to
    /// understand the flag.
    @Test func ourWatcherSubscribesAtAV024PeerAndReceivesItsPush() async throws {
        try await withCluster(TestCluster(size: 4, profiles: { $0 == 1 ? .v029 : .current })) { c in
            for h in [1, 3] { try c.nodes[h].localPut(try topicRecord(c, 2, seq: 1), at: key) }
            c.nodes[0].watch(key)
            // Before any evidence nobody is asked.
            _ = try await c.nodes[0].findValue(at: c.address(1), expectedID: c.nodes[1].nodeID, key: key)
            #expect(c.nodes[1].debugStats().push.subscribers == 0)
            // Node 1 shows it is v0.2.4+ (a v0.2.x search of its own reaches us with the flag).
            let other = NodeID.random()
            c.nodes[1].watch(other)
            _ = try await c.nodes[1].findValue(at: c.address(0), expectedID: c.nodes[0].nodeID, key: other)
            #expect(c.nodes[0].wireGeneration(of: c.nodes[1].nodeID) == .v024)
            #expect(c.nodes[0].wireGeneration(of: c.nodes[3].nodeID) == .legacy)

            _ = try await c.nodes[0].findValue(at: c.address(1), expectedID: c.nodes[1].nodeID, key: key)
            _ = try await c.nodes[0].findValue(at: c.address(3), expectedID: c.nodes[3].nodeID, key: key)
            #expect(c.nodes[1].debugStats().push.subscribers == 1)
            #expect(c.nodes[3].debugStats().push.subscribers == 0, "a peer with no evidence is never sent the flag")
            let record = try topicRecord(c, 2, seq: 2)
            #expect(try await c.nodes[2].storeAt(c.address(1), key: key, record: record) == .stored)
            #expect(try await eventually { pushes(c, to: 0) == [record] })
            #expect(c.nodes[0].debugStats().push.received == 1)
            #expect(try await eventually { c.nodes[1].debugStats().push.subscribers == 1 }, "we renewed while watching")
        }
    }

    @Test func hostilePushesAcksAndRegistrationsAreDroppedAndCounted() async throws {
        try await withCluster(TestCluster(size: 1, rateLimit: nil)) { c in
            let node = c.nodes[0]
            let attacker = try await RawPeer(c.network, ip: 0x0a09_0001)
            let rssBefore = residentBytes()
            let now = c.clock.unixSeconds()
            let good = try SignedRecord.sign(recType: RecordType.topic, payload: TopicPayload(topic: "push.test").encoded,
                                             seq: 1, timestamp: now, ttl: 600, signer: attacker.key)
            node.watch(key)

            // 1. A push for a subscription never made: dropped, unanswered.
            try attacker.send(.dhtPush(DHTPush(key: key, record: good)), to: c.address(0))
            #expect(try await eventually { node.debugStats().push.droppedUnexpected == 1 })
            #expect(attacker.inbox.items.withLock { $0.isEmpty })

            // 2. A push answering a real subscription but carrying a forged record: dropped,
            //    acknowledged without renewal, never delivered.
            node.noteSubscribeOutcome(key: key, peer: attacker.key.address.nodeID, answeredWithRecords: true)
            var forged = good
            forged.seq = 2  // the signature no longer covers the fields
            try attacker.send(.dhtPush(DHTPush(key: key, record: forged)), to: c.address(0))
            #expect(try await eventually { node.debugStats().push.droppedInvalid == 1 })
            #expect(try await eventually { attacker.inbox.items.withLock { $0.count } == 1 })
            let ack = try Packet.decode(try #require(attacker.inbox.items.withLock { $0.first }))
            #expect(ack.body == .dhtPushAck(DHTPushAck(key: key, msgID: forged.messageID, oneShotSubscribe: false)))
            // The subscription was consumed: the same push again is unexpected.
            try attacker.send(.dhtPush(DHTPush(key: key, record: good)), to: c.address(0))
            #expect(try await eventually { node.debugStats().push.droppedUnexpected == 2 })
            #expect(c.log.pushed.withLock { $0.isEmpty })

            // 3. A flood of unmatched ACKs: counted as unsolicited, nothing held.
            for _ in 0..<500 {
                try attacker.send(.dhtPushAck(DHTPushAck(key: key, msgID: good.messageID, oneShotSubscribe: true)), to: c.address(0))
            }
            #expect(try await eventually { node.debugStats().droppedUnsolicited == 500 })
            #expect(node.debugStats().push.subscribers == 0 && node.pending.withLock { $0.count } == 0)

            // 4. Registrations from one source for many keys: capped per source, the rest refused.
            let keys = (0..<100).map { _ in NodeID.random() }
            for k in keys { try node.localPut(good, at: k) }
            for k in keys { try attacker.send(.findValue(FindValue(target: k, oneShotSubscribe: true)), to: c.address(0)) }
            #expect(try await eventually { node.debugStats().push.subscriptionsRefused == 36 })
            #expect(node.debugStats().push.subscribers == PushConstants.maxSubscriptionsPerSource)
            // Every request was still answered.
            #expect(try await eventually { attacker.inbox.items.withLock { $0.count } == 1 + 100 })
            #expect(node.debugStats().droppedMalformed == 0)
            if let before = rssBefore, let after = residentBytes() {
                #expect(after - before < 64 << 20, "resident memory grew by \(after - before) bytes")
            }
        }
    }

    @Test func subscriberTableStaysWithinItsCaps() {
        var table = PushSubscriberTable(maxPerKey: 4, maxPerSource: 6, maxTotal: 10)
        let now = Tick.zero
        let k1 = NodeID.random(), k2 = NodeID.random()
        func addr(_ ip: UInt32, _ port: UInt16) -> PeerAddress { .udp(WireEndpoint(ip: IPAddress(ipv4: ip), port: port)) }
        // Same source IP:port at one key only refreshes.
        #expect(table.register(key: k1, address: addr(1, 1), peer: .random(), now: now) == .added)
        #expect(table.register(key: k1, address: addr(1, 1), peer: .random(), now: now) == .refreshed)
        #expect(table.count == 1)
        // Per key: the oldest makes room.
        for p in 2...6 { _ = table.register(key: k1, address: addr(UInt32(p), 1), peer: .random(), now: now) }
        #expect(table.byKey[k1]?.count == 4)
        #expect(table.byKey[k1]?.contains { $0.address == addr(1, 1) } == false)
        // Per source IP (any port): refused past the share.
        var refused = 0
        for port in 1...10 where table.register(key: .random(), address: addr(99, UInt16(port)), peer: .random(), now: now) == .refusedSourceFull {
            refused += 1
        }
        #expect(refused == 4)
        // Total: the oldest overall makes room, and the count never exceeds the cap.
        for p in 200..<220 { _ = table.register(key: k2, address: addr(UInt32(p), 1), peer: .random(), now: now) }
        #expect(table.count <= 10)
        // Expiry: everything registered at `now` is gone a lifetime later, and consumption
        // returns only live subscribers.
        table.pruneExpired(now: now + PushConstants.subscriptionLifetime)
        #expect(table.count == 0 && table.byKey.isEmpty)
        _ = table.register(key: k1, address: addr(7, 7), peer: .random(), now: now)
        #expect(table.consume(k1, now: now + PushConstants.subscriptionLifetime).isEmpty)
        #expect(table.count == 0)
    }

    @Test func generationEvidenceOnlyRisesAndTwoTimeoutsForgetIt() {
        var t = PeerGenerationTable(capacity: 2)
        let a = NodeID.random(), b = NodeID.random(), c = NodeID.random()
        #expect(t.generation(of: a) == .legacy)
        t.observe(a, shows: .v024)
        t.observe(a, shows: .v018)
        #expect(t.generation(of: a) == .v024)
        t.newFieldTimedOut(a)
        #expect(t.generation(of: a) == .v024)
        t.newFieldAnswered(a)
        t.newFieldTimedOut(a)
        #expect(t.generation(of: a) == .v024, "an answer in between resets the count")
        t.newFieldTimedOut(a)
        #expect(t.generation(of: a) == .legacy)
        // Bounded: the least recent evidence is forgotten (a quarter of the table at a time).
        t.observe(a, shows: .v018)
        t.observe(b, shows: .v018)
        t.observe(c, shows: .v024)
        #expect(t.count == 2 && t.generation(of: a) == .legacy && t.generation(of: b) == .v018 && t.generation(of: c) == .v024)
        var big = PeerGenerationTable(capacity: 100)
        let ids = (0..<1000).map { _ in NodeID.random() }
        for id in ids { big.observe(id, shows: .v018) }
        #expect(big.count <= 100 && big.generation(of: ids[999]) == .v018 && big.generation(of: ids[0]) == .legacy)
    }
}
