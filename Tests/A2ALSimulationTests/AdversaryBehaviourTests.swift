import A2ALCore
import A2ALProtocol
import A2ALSimulation
import A2ALDHT
import Testing

/// Each adversary behaviour of a2al-sim (docs/benchmarks.md, "Adversaries in the simulator"),
/// exercised on a small network through real honest nodes' requests.
@Suite struct AdversaryBehaviourTests {
    @Test func liarsAnswerFindNodeWithColludersOnlyAndFindValueWithoutRecords() async throws {
        // 30% of 60 nodes lie.
        try await withAdversaryNetwork(honest: 42, adversaries: 18, behaviour: .lie) { net in
            let asker = net.honest[5]
            let ids = net.adversaryIDs
            for liar in net.adversaries.prefix(4) {
                let target = NodeID.random()
                let nodes = try await asker.findNode(at: liar.peerAddress, lookingFor: target)
                // K of them, less what the 1,200-byte datagram cannot carry (as honest answers are trimmed).
                #expect(nodes.count >= NodeConstants.k - 2)
                #expect(nodes.allSatisfy { ids.contains($0.nodeID) && $0.isConsistent })
                let value = try await asker.findValue(at: liar.peerAddress, key: net.honest[7].address.nodeID,
                                                      recType: RecordType.endpoint)
                #expect(value.records.isEmpty)
                #expect(value.nodes.allSatisfy { ids.contains($0.nodeID) })
            }
            // Joining put liars into honest routing tables, as verified contacts.
            let holding = net.honest.filter { $0.routingEntries().contains { ids.contains($0.contact.nodeID) } }
            #expect(!holding.isEmpty)
        }
    }

    @Test func staleAdversariesKeepAndServeTheOlderRecord() async throws {
        try await withAdversaryNetwork(honest: 20, adversaries: 6, behaviour: .stale) { net in
            let publisher = 3
            func record(seq: UInt64) throws -> SignedRecord {
                let payload = EndpointPayload(endpoints: ["quic://11.0.3.1:\(4432 + seq)"], natType: 1).encoded
                return try SignedRecord.sign(recType: RecordType.endpoint, payload: payload, seq: seq,
                                             timestamp: SystemClock().unixSeconds(), ttl: 3600, signer: net.keys[publisher])
            }
            let node = net.honest[publisher]
            let stale = net.adversaries[0]
            let older = try record(seq: 1), newer = try record(seq: 2)
            #expect(try await node.storeAt(stale.peerAddress, key: .zero, record: older) == .stored)
            // The newer version is acknowledged as stored, and thrown away.
            #expect(try await node.storeAt(stale.peerAddress, key: .zero, record: newer) == .stored)
            #expect(stale.counters.newerRefused == 1)
            let served = try await net.honest[9].findValue(at: stale.peerAddress, key: node.address.nodeID,
                                                           recType: RecordType.endpoint)
            #expect(served.records.map(\.seq) == [1])
            #expect(served.records.first == older)
        }
    }

    @Test func droppingAdversariesAnswerWhileJoiningThenNeverReply() async throws {
        try await withAdversaryNetwork(honest: 20, adversaries: 6, behaviour: .drop) { net in
            let dropper = net.adversaries[0]
            let asker = net.honest[4]
            // Before going silent it answers (that is how it got into routing tables).
            _ = try await asker.ping(dropper.peerAddress, attempts: 1)
            dropper.goSilent()
            let replies = dropper.counters.repliesSent
            let received = dropper.counters.requestsReceived
            await #expect(throws: DHTError.self) {
                try await asker.ping(dropper.peerAddress, timeout: .milliseconds(400), attempts: 2,
                                     attemptTimeout: .milliseconds(200))
            }
            await #expect(throws: DHTError.self) {
                try await asker.findNode(at: dropper.peerAddress, lookingFor: .random(), timeout: .milliseconds(200), attempts: 1)
            }
            #expect(dropper.counters.repliesSent == replies)
            #expect(dropper.counters.requestsReceived >= received + 3)
        }
    }

    @Test func sybilsShareFewSubnetsAndHonestTablesCapThem() async throws {
        // 44 Sybils in 4 /24s (11 each) against 16 honest nodes, each Sybil PINGing every one.
        try await withAdversaryNetwork(honest: 16, adversaries: 44, behaviour: .sybil) { net in
            let subnets = Set(net.adversaries.compactMap { SimAddressPlan.subnet24($0.endpoint) })
            #expect(subnets.count == SimAddressPlan.sybilSubnets)
            let everyone = net.honest.map(\.localAddress)
            for sybil in net.adversaries { _ = await sybil.announce(to: everyone) }
            let ids = net.adversaryIDs
            var capReached = false
            for node in net.honest {
                var perSubnet: [UInt32: Int] = [:]
                var perBucketSubnet: [String: Int] = [:]
                for e in node.routingEntries() where ids.contains(e.contact.nodeID) {
                    let subnet = try #require(e.contact.endpoint.flatMap(SimAddressPlan.subnet24))
                    perSubnet[subnet, default: 0] += 1
                    perBucketSubnet["\(node.nodeID.bucketIndex(of: e.contact.nodeID))/\(subnet)", default: 0] += 1
                }
                #expect(perSubnet.values.allSatisfy { $0 <= RoutingLimits.defaultMaxPerSubnet })
                #expect(perBucketSubnet.values.allSatisfy { $0 <= RoutingLimits.defaultMaxPerSubnetPerBucket })
                if perBucketSubnet.values.contains(RoutingLimits.defaultMaxPerSubnetPerBucket) { capReached = true }
            }
            // The Sybils did press against the limit, so the bound above is the limit's doing.
            #expect(capReached)
        }
    }

    @Test func eclipseIdentitiesSurroundTheVictimKeyAndLieOnlyAboutIt() async throws {
        try await withAdversaryNetwork(honest: 20, adversaries: 8, behaviour: .eclipse, victimPrefixBits: 6) { net in
            let victimKey = net.honest[0].address.nodeID
            #expect(net.adversaries.allSatisfy { $0.nodeID.commonPrefixLength(with: victimKey) >= 6 })
            let ids = net.adversaryIDs
            let asker = net.honest[3]
            let eclipser = net.adversaries[0]
            let nearVictim = try await asker.findNode(at: eclipser.peerAddress, lookingFor: victimKey)
            #expect(!nearVictim.isEmpty && nearVictim.allSatisfy { ids.contains($0.nodeID) })
            // Far from every victim it answers with the network's closest nodes, honest ones included.
            var far = victimKey.bytes
            far[0] ^= 0x80
            let farKey = try #require(NodeID(bytes: far))
            let elsewhere = try await asker.findNode(at: eclipser.peerAddress, lookingFor: farKey)
            #expect(elsewhere.contains { !ids.contains($0.nodeID) })
        }
    }
}

@Suite struct AdversaryIdentityTests {
    @Test func identitiesAndAddressesFollowFromTheSeed() {
        let a = AdversaryIdentities.make(count: 5, seed: 42).map(\.address)
        let b = AdversaryIdentities.make(count: 5, seed: 42).map(\.address)
        let c = AdversaryIdentities.make(count: 5, seed: 43).map(\.address)
        #expect(a == b)
        #expect(a != c)
        let victims = [NodeID.random(), NodeID.random()]
        let ground = AdversaryIdentities.ground(count: 6, near: victims, prefixBits: 5, seed: 7)
        #expect(ground.count == 6)
        for v in victims {
            #expect(ground.filter { $0.nodeID.commonPrefixLength(with: v) >= 5 }.count >= 3)
        }
    }

    @Test func theDirectoryPicksTheClosestContactsInOrder() {
        let ids = AdversaryIdentities.make(count: 40, seed: 3)
        let infos = ids.enumerated().map { NodeInfo(address: $1.address, endpoint: SimAddressPlan.adversary($0)) }
        let directory = AdversaryDirectory(adversaries: Array(infos.prefix(10)), honest: Array(infos.dropFirst(10)))
        let target = NodeID.random()
        let byDistance = infos.sorted { target.isCloser($0.nodeID, than: $1.nodeID) }
        #expect(directory.closestOfAll(to: target, count: 16) == Array(byDistance.prefix(16)))
        #expect(directory.closestAdversaries(to: target, count: 4)
                == Array(infos.prefix(10).sorted { target.isCloser($0.nodeID, than: $1.nodeID) }.prefix(4)))
    }

    @Test func simulatedNodesSitInPublicSubnetsOfTheirOwn() {
        let honest = (0..<300).map(SimAddressPlan.honest)
        #expect(honest.allSatisfy { $0.ip.isPublic })
        #expect(Set(honest.compactMap(SimAddressPlan.subnet24)).count == 300)
        let sybils = (0..<1200).map(SimAddressPlan.sybil)
        #expect(sybils.allSatisfy { $0.ip.isPublic })
        #expect(Set(sybils).count == 1200)
        #expect(Set(sybils.compactMap(SimAddressPlan.subnet24)).count == SimAddressPlan.sybilSubnets)
    }
}
