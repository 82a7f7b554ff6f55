import A2ALCore
import A2ALProtocol
import A2ALTestSupport
import Testing
@testable import A2ALDHT

/// Every RPC and every inbound message type between real nodes on the in-memory network.
@Suite struct NodeRPCTests {
    @Test func pingProvesIdentityAndRegistersBothSides() async throws {
        try await withCluster(TestCluster(size: 2)) { c in
            let id = try await c.nodes[0].ping(c.address(1))
            #expect(id.address == c.nodes[1].address && id.nodeID == c.nodes[1].nodeID)
            // B saw A's PING come from 10.0.0.1:4000 and said so.
            #expect(id.observed == WireEndpoint(ip: IPAddress(ipv4: 0x0a00_0001), port: 4000))
            #expect(c.log.observations.withLock { $0.contains { $0.node == 0 && $0.reporter == c.nodes[1].nodeID } })
            // Both routing tables hold the other, verified; A's health view of B is Good.
            #expect(c.nodes[0].routingEntries().map(\.contact.nodeID) == [c.nodes[1].nodeID])
            #expect(c.nodes[1].routingEntries().first?.verifiedAt != nil)
            #expect(c.nodes[0].peerHealth(c.nodes[1].nodeID) == .good)
            #expect(c.nodes[0].peerRTT(c.address(1)) != nil)
            #expect(c.log.transitions.withLock { $0.contains { $0.id == c.nodes[1].nodeID && $0.new == .good } })
        }
    }

    @Test func findNodeAnswersClosestVerifiedContactsButNeverTheRequester() async throws {
        try await withCluster(TestCluster(size: 12)) { c in
            // Everyone introduces itself to node 0.
            for i in 1..<12 { try await c.nodes[i].ping(c.address(0)) }
            let target = NodeID.random()
            let nodes = try await c.nodes[1].findNode(at: c.address(0), lookingFor: target)
            #expect(nodes.count == 10)
            #expect(!nodes.contains { $0.nodeID == c.nodes[1].nodeID })
            #expect(nodes.allSatisfy { $0.isConsistent && $0.port == 4000 })
            let distances = nodes.map { $0.nodeID.distance(to: target) }
            #expect(distances == distances.sorted())
        }
    }

    @Test func storeAndFindValue() async throws {
        try await withCluster(TestCluster(size: 2)) { c in
            let now = c.clock.unixSeconds()
            let rec = try endpointRecord(c.keys[0], now: now)
            #expect(try await c.nodes[0].storeAt(c.address(1), key: .zero, record: rec, timeout: .seconds(60), attempts: 1) == .stored)
            // The same record again is a duplicate: answered {1:true} to a peer not known to read
            // `already_had` (a v0.1.7 peer drops any key it does not know). A wrong key for a
            // sovereign record is refused, without a reason for the same peer.
            #expect(try await c.nodes[0].storeAt(c.address(1), key: .zero, record: rec, timeout: .seconds(60), attempts: 1) == .stored)
            #expect(try await c.nodes[0].storeAt(c.address(1), key: NodeID.random(), record: try endpointRecord(c.keys[0], seq: 2, now: now), timeout: .seconds(60), attempts: 1) == .refused(.unexplained))
            let found = try await c.nodes[0].findValue(at: c.address(1), key: c.nodes[0].nodeID)
            #expect(found.records == [rec])
            #expect(try await c.nodes[0].findEndpointRecord(at: c.address(1), key: c.nodes[0].nodeID)?.record == rec)
            #expect(c.nodes[1].localGet(c.nodes[0].nodeID).map(\.record) == [rec])
            #expect(c.nodes[1].localGet(byAddress: c.nodes[0].address).map(\.record) == [rec])
            #expect(c.log.stored.withLock { $0.contains { $0.node == 1 && $0.key == c.nodes[0].nodeID } })
            // A record signed by someone else for A's address is refused by the authority policy.
            let forged = try SignedRecord.sign(address: c.nodes[0].address, recType: 1, payload: rec.payload, seq: 9,
                                               timestamp: now, ttl: 60, signer: c.keys[1], delegation: [1, 2, 3])
            #expect(try await c.nodes[1].storeAt(c.address(0), key: .zero, record: forged, timeout: .seconds(60), attempts: 1) == .refused(.unexplained))
        }
    }

    @Test func findValueFiltersByTypeAndIncludesLegacyRecord() async throws {
        try await withCluster(TestCluster(size: 2)) { c in
            let now = c.clock.unixSeconds()
            let ep = try endpointRecord(c.keys[0], now: now)
            try c.nodes[1].localPut(ep)
            let custom = try SignedRecord.sign(recType: 0x05, payload: [1, 2, 3], seq: 1, timestamp: now, ttl: 60, signer: c.keys[0])
            try c.nodes[1].localPut(custom)
            let all = try await c.nodes[0].findValue(at: c.address(1), key: c.nodes[0].nodeID)
            #expect(Set(all.records) == Set([ep, custom]))
            let onlyCustom = try await c.nodes[0].findValue(at: c.address(1), key: c.nodes[0].nodeID, recType: 0x05)
            #expect(onlyCustom.records == [custom])
            let none = try await c.nodes[0].findValue(at: c.address(1), key: NodeID.random())
            #expect(none.records.isEmpty)
        }
    }

    @Test func timeoutsCountAgainstHealthButCancellationDoesNot() async throws {
        let c = try TestCluster(size: 2)
        try await c.start()
        try await c.nodes[0].ping(c.address(1))
        let b = c.nodes[1].nodeID
        await c.nodes[1].close()
        await #expect(throws: DHTError.timeout) {
            try await c.nodes[0].ping(c.address(1), expectedID: b, timeout: .milliseconds(200), attempts: 1)
        }
        #expect(c.nodes[0].peerHealth(b) == .good)  // one failure after a success is still Good
        await #expect(throws: DHTError.timeout) {
            try await c.nodes[0].ping(c.address(1), expectedID: b, timeout: .milliseconds(200), attempts: 1)
        }
        #expect(c.nodes[0].peerHealth(b) == .bad)
        #expect(!c.nodes[0].peerAllowContact(b))
        #expect(c.log.transitions.withLock { $0.contains { $0.id == b && $0.old == .good && $0.new == .bad } })
        // A cancelled request is the caller's doing: no failure recorded.
        let other = NodeID.random()
        c.nodes[0].bindPeerAddress(other, .memory("nobody"))
        let task = Task { try await c.nodes[0].ping(.memory("nobody"), expectedID: other, timeout: .seconds(30)) }
        try await waitUntil { c.nodes[0].pending.withLock { $0.count } == 1 }
        task.cancel()
        await #expect(throws: DHTError.cancelled) { try await task.value }
        #expect(c.nodes[0].peerHealth(other) == .unknown)
        await c.nodes[0].close()
        await #expect(throws: DHTError.closed) { try await c.nodes[0].ping(c.address(1)) }
    }

    @Test func closeFailsOutstandingRequests() async throws {
        try await withCluster(TestCluster(size: 1)) { c in
            let task = Task { try await c.nodes[0].ping(.memory("void"), timeout: .seconds(30)) }
            try await waitUntil { c.nodes[0].pending.withLock { $0.count } == 1 }
            await c.nodes[0].close()
            await #expect(throws: DHTError.closed) { try await task.value }
        }
    }

    @Test func natProbeEchoesOnlyToThePublicSourceAndIsRateLimited() async throws {
        // 203.0.113.x counts as public (documentation range).
        try await withCluster(TestCluster(size: 2, ipBase: 0xcb00_7101)) { c in
            let me = try #require(c.address(0).udp)
            #expect(try await c.nodes[0].natProbe(via: c.address(1), claimed: me, timeout: .seconds(30)))
            // A claim that is not our source IP, or a private IP, gets no echo.
            let other = WireEndpoint(ip: IPAddress(text: "203.0.113.99")!, port: me.port)
            #expect(try await c.nodes[0].natProbe(via: c.address(1), claimed: other, timeout: .milliseconds(200)) == false)
            let privateClaim = WireEndpoint(ip: IPAddress(text: "192.168.1.2")!, port: 1)
            #expect(try await c.nodes[0].natProbe(via: c.address(1), claimed: privateClaim, timeout: .milliseconds(200)) == false)
            // Three echoes per 10 s window per source IP: two more succeed, the next does not.
            #expect(try await c.nodes[0].natProbe(via: c.address(1), claimed: me, timeout: .seconds(30)))
            #expect(try await c.nodes[0].natProbe(via: c.address(1), claimed: me, timeout: .seconds(30)))
            #expect(try await c.nodes[0].natProbe(via: c.address(1), claimed: me, timeout: .milliseconds(300)) == false)
        }
    }

    @Test func bootstrapByAddressFillsRoutingTables() async throws {
        try await withCluster(TestCluster(size: 30)) { c async throws in  // its only trys are inside #expect
            for i in 1..<30 {
                #expect(try await c.nodes[i].bootstrap(addresses: [c.address(0)]) == 1)
            }
            // The seed heard from everyone (all but an overflow of its 16-entry bucket 0 are in its
            // table); late joiners learnt many others through FIND_NODE(self).
            let selfID = c.nodes[0].nodeID
            let inBucket0 = (1..<30).filter { selfID.bucketIndex(of: c.nodes[$0].nodeID) == 0 }.count
            #expect(c.nodes[0].routingTableSize == 29 - max(0, inBucket0 - 16))
            #expect(c.nodes[29].routingTableSize >= 10)
            #expect(c.nodes[0].estimatedNetworkSize() > 0)
            await #expect(throws: DHTError.allSeedsUnreachable) {
                try await c.nodes[1].bootstrap(addresses: [.memory("nobody")], timeout: .milliseconds(200))
            }
        }
    }

    @Test func bootstrapWithKnownSeedIdentity() async throws {
        try await withCluster(TestCluster(size: 3)) { c in
            try await c.nodes[2].ping(c.address(0))
            let seedInfo = NodeInfo(address: c.nodes[0].address, endpoint: try #require(c.address(0).udp))
            try await c.nodes[1].bootstrap(seeds: [BootstrapSeed(address: c.address(0), info: seedInfo)])
            let known = Set(c.nodes[1].routingEntries().map(\.contact.nodeID))
            #expect(known.contains(c.nodes[0].nodeID) && known.contains(c.nodes[2].nodeID))
        }
    }

    @Test func hairpinDetectionAndBootstrapCandidates() async throws {
        try await withCluster(TestCluster(size: 4)) { c in
            let node = c.nodes[0]
            let mine = try #require(c.address(0).udp)
            #expect(!node.isHairpin(c.address(1)))
            node.setSelfExternalIP(IPAddress(text: "203.0.113.5"))
            // Another port at our own public IP is a peer behind the same NAT; our own port is not.
            #expect(node.isHairpin(.udp(WireEndpoint(ip: IPAddress(text: "203.0.113.5")!, port: 5000))))
            #expect(!node.isHairpin(.udp(WireEndpoint(ip: IPAddress(text: "203.0.113.5")!, port: mine.port))))
            #expect(!node.isHairpin(c.address(1)))
            node.setSelfExternalIP(nil)
            #expect(node.selfExternalIP == nil)

            for i in 1..<4 { try await node.ping(c.address(i)) }
            // Peer 3 fails twice: Bad, so it is offered last.
            let bad = c.nodes[3].nodeID
            await c.nodes[3].close()
            for _ in 0..<2 {
                _ = try? await node.ping(c.address(3), expectedID: bad, timeout: .milliseconds(150), attempts: 1)
            }
            #expect(node.peerHealth(bad) == .bad)
            let candidates = node.bootstrapCandidates(max: 10)
            #expect(Set(candidates) == Set([c.address(1), c.address(2), c.address(3)]))
            #expect(candidates.last == c.address(3))
            #expect(node.bootstrapCandidates(max: 1).count == 1)
            #expect(node.bootstrapCandidates(max: 0).isEmpty)
        }
    }
}
