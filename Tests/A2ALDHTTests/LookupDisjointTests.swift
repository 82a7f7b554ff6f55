import A2ALCore
import A2ALProtocol
import Testing
@testable import A2ALDHT

/// Disjoint-path lookups (docs/routing.md §3.13) on scripted networks: no node is asked by two
/// paths, and a path fed only by liars cannot hide the record another path finds.
@Suite(.serialized) struct LookupDisjointTests {
    @Test func noNodeIsAskedByTwoPaths() async {
        // 60 honest nodes, each reporting the 12 it is closest to: paths overlap everywhere.
        let infos = (0..<60).map(scriptedInfo)
        var table: [NodeID: ScriptedLookupNetwork.Node] = [:]
        for me in infos {
            let near = byDistance(infos.filter { $0.nodeID != me.nodeID }, to: me.nodeID)
            table[me.nodeID] = .init(contacts: Array(near.prefix(12)))
        }
        let network = ScriptedLookupNetwork(nodes: table)
        let target = NodeID.random()
        var lookup = IterativeLookup(network: network, target: target, mode: .nodes,
                                     deadline: network.clock.now() + .seconds(10), paths: 3)
        let outcome = await lookup.run(seeds: infos.prefix(9).map(Contact.init(nodeInfo:)), localRecords: [])
        #expect(outcome.queried > 9, "the paths walked beyond their seeds")
        #expect(network.maxAsksOfOneNode == 1)
        #expect(outcome.nodes.count == NodeConstants.k)
    }

    /// 40 liars closest to the key answer with one another and never with a record; the holder
    /// sits just beyond them, known only to an honest seed. One path converges on the liars
    /// (they fill even the wider window of a first-record search); with two, the honest seed's
    /// path reaches the holder.
    @Test func aPathOfLiarsCannotHideTheRecordFromAnotherPath() async throws {
        let ring = try LiarRing(nodes: 60, liarCount: 40, honestSeedRank: 55)
        let target = ring.target, record = ring.record
        // Honest answers come later than lies, so one path fills with liars first.
        let mode = IterativeLookup.Mode.records(recType: RecordType.endpoint, hitThreshold: 1)

        func run(paths: Int) async -> (IterativeLookup.Outcome, ScriptedLookupNetwork) {
            let network = ScriptedLookupNetwork(nodes: ring.table, honestDelay: .milliseconds(50))
            var lookup = IterativeLookup(network: network, target: target, mode: mode,
                                         deadline: network.clock.now() + .seconds(10), paths: paths)
            return (await lookup.run(seeds: [ring.liars[39], ring.honestSeed].map(Contact.init(nodeInfo:)), localRecords: []), network)
        }
        let (single, _) = await run(paths: 1)
        #expect(single.records.isEmpty, "one path converges on the liars")
        let (disjoint, network) = await run(paths: 2)
        #expect(disjoint.records.map(\.record) == [record.record])
        #expect(network.maxAsksOfOneNode == 1)
    }
}

/// A search that ends at its first record still takes the answers already on their way
/// (docs/routing.md §3.8): a stale holder that answers first is not the last word.
@Suite struct FirstHitDrainTests {
    @Test func theNewerRecordOfAnAnswerInFlightWins() async throws {
        let owner = Ed25519.KeyPair.generate()
        let target = owner.address.nodeID
        let now = SystemClock().unixSeconds()
        let verifier = RecordVerifier(authority: nil)
        let old = try verifier.verify(endpointRecord(owner, seq: 1, now: now, endpoint: "quic://10.0.0.1:1"), at: target, now: now)
        let new = try verifier.verify(endpointRecord(owner, seq: 2, now: now, endpoint: "quic://10.0.0.1:2"), at: target, now: now)
        let stale = scriptedInfo(1), fresh = scriptedInfo(2)
        // The stale holder answers at once, the fresh one 50 ms later; both are asked together.
        let network = ScriptedLookupNetwork(nodes: [
            stale.nodeID: .init(contacts: [], records: [old], delay: .zero),
            fresh.nodeID: .init(contacts: [], records: [new], delay: .milliseconds(50)),
        ])
        for paths in [1, 2] {
            var lookup = IterativeLookup(network: network, target: target,
                                         mode: .records(recType: RecordType.endpoint, hitThreshold: 1),
                                         deadline: network.clock.now() + .seconds(10), paths: paths)
            let contacts = [stale, fresh].map(Contact.init(nodeInfo:))
            let outcome = await lookup.run(seeds: contacts, localRecords: [])
            let newest = outcome.records.max { $1.isNewer(than: $0) }
            #expect(newest?.record.seq == 2, "\(paths) path(s): \(outcome.records.map(\.record.seq))")
            #expect(outcome.queried == 2, "no one new is asked after the hit")
        }
    }

    @Test func anAnswerThatWouldNeedAHedgeIsNotAwaited() async throws {
        let owner = Ed25519.KeyPair.generate()
        let target = owner.address.nodeID
        let now = SystemClock().unixSeconds()
        let verifier = RecordVerifier(authority: nil)
        let old = try verifier.verify(endpointRecord(owner, seq: 1, now: now), at: target, now: now)
        let new = try verifier.verify(endpointRecord(owner, seq: 2, now: now), at: target, now: now)
        let quick = scriptedInfo(3), slow = scriptedInfo(4)
        // The scripted attempt deadline is 1 s; the slow holder answers after 3 s.
        let network = ScriptedLookupNetwork(nodes: [
            quick.nodeID: .init(contacts: [], records: [old], delay: .zero),
            slow.nodeID: .init(contacts: [], records: [new], delay: .seconds(3)),
        ])
        var lookup = IterativeLookup(network: network, target: target,
                                     mode: .records(recType: RecordType.endpoint, hitThreshold: 1),
                                     deadline: network.clock.now() + .seconds(10), paths: 1)
        let start = network.clock.now()
        let contacts = [quick, slow].map(Contact.init(nodeInfo:))
        let outcome = await lookup.run(seeds: contacts, localRecords: [])
        let took = network.clock.now() - start
        #expect(outcome.records.map(\.record.seq) == [1])
        #expect(took < .seconds(2), "waited \(took) for an answer past its attempt deadline")
        #expect(took >= .milliseconds(900), "gave up after \(took), before the attempt deadline")
    }
}

/// A search over several paths that ends at its first record keeps a late candidate's slot for
/// one attempt deadline past its hedge (docs/routing.md §3.8): a lost datagram is answered by the
/// hedge, and the other paths race the slow one anyway. One path frees the slot at once.
@Suite struct SlotHeldPastHedgeTests {
    @Test func aHedgedAnswerOnThreePathsCostsNoFurtherCandidate() async throws {
        let owner = Ed25519.KeyPair.generate()
        let target = owner.address.nodeID
        let record = try verifiedEndpointRecord(owner)
        let seeds = byDistance((0..<4).map { _ in scriptedInfo(Int.random(in: 1..<60_000)) }, to: target)
        // The two closest answer 75 ms in, after their 50 ms attempt deadline (as a hedge
        // would after a lost datagram); the closest holds the record. The others answer at once.
        var table: [NodeID: ScriptedLookupNetwork.Node] = [:]
        table[seeds[0].nodeID] = .init(contacts: [], records: [record], delay: .milliseconds(75))
        table[seeds[1].nodeID] = .init(contacts: [], delay: .milliseconds(75))
        for s in seeds[2...] { table[s.nodeID] = .init(contacts: []) }
        let contacts = seeds.map(Contact.init(nodeInfo:))
        let mode = IterativeLookup.Mode.records(recType: RecordType.endpoint, hitThreshold: 1)
        for (paths, expectedQueried) in [(3, 3), (1, 4)] {
            let network = ScriptedLookupNetwork(nodes: table, attemptTimeout: .milliseconds(50))
            var lookup = IterativeLookup(network: network, target: target, mode: mode,
                                         deadline: network.clock.now() + .seconds(10), paths: paths)
            let outcome = await lookup.run(seeds: contacts, localRecords: [])
            #expect(outcome.records.map(\.record) == [record.record], "\(paths) path(s)")
            // Three paths of width one ask the three closest (seeds are dealt closest first,
            // so the fourth waits on the closest's path); one path of width three asks three,
            // and the fourth once the closest turns late.
            #expect(outcome.queried == expectedQueried, "\(paths) path(s): asked \(outcome.queried)")
        }
    }
}

/// A path of a first-record search that has no record yet converges only once K + 8 of its
/// closest candidates have answered (docs/routing.md §3.8): liars that push the honest holder a
/// path knows out of its K closest do not hide it.
@Suite struct FirstHitWindowTests {
    @Test func aHolderJustBeyondTheKClosestLiarsIsStillAsked() async throws {
        // 20 liars, the holder right behind them (one of the K + 8 closest the path knows), and an
        // honest seed far out that knows the holder and answers after the liars have.
        let ring = try LiarRing(nodes: 40, liarCount: 20, honestSeedRank: 35)
        let target = ring.target, record = ring.record, liars = ring.liars
        let network = ScriptedLookupNetwork(nodes: ring.table, honestDelay: .milliseconds(50))
        var lookup = IterativeLookup(network: network, target: target,
                                     mode: .records(recType: RecordType.endpoint, hitThreshold: 1),
                                     deadline: network.clock.now() + .seconds(10), paths: 1)
        let contacts = [liars[19], ring.honestSeed].map(Contact.init(nodeInfo:))
        let outcome = await lookup.run(seeds: contacts, localRecords: [])
        #expect(outcome.records.map(\.record) == [record.record])
        // A node lookup over the same network converges on the 16 closest liars and stops.
        var nodes = IterativeLookup(network: network, target: target, mode: .nodes,
                                    deadline: network.clock.now() + .seconds(10), paths: 1)
        let found = await nodes.run(seeds: contacts, localRecords: [])
        #expect(found.nodes.map(\.nodeID) == liars.prefix(NodeConstants.k).map(\.nodeID))
    }
}

/// A path of a multi-path first-record search waits, once, while another path's request to a
/// closer candidate is in flight and not yet due for a hedge (docs/routing.md §3.8).
@Suite struct PathDeferralTests {
    /// Three seeds, one per path. The closest seed answers first with `lead`; the others answer
    /// later with `second` and `third`, both farther from the key than `lead`.
    func search(leadHolds: Bool) async throws -> (outcome: IterativeLookup.Outcome, network: ScriptedLookupNetwork,
                                                   record: SignedRecord) {
        let owner = Ed25519.KeyPair.generate()
        let target = owner.address.nodeID
        let record = try verifiedEndpointRecord(owner)
        let infos = byDistance((0..<6).map { _ in scriptedInfo(Int.random(in: 1..<60_000)) }, to: target)
        let lead = infos[0], second = infos[1], third = infos[2], seeds = Array(infos[3...])
        var table: [NodeID: ScriptedLookupNetwork.Node] = [:]
        table[seeds[0].nodeID] = .init(contacts: [lead], delay: .milliseconds(10))
        table[seeds[1].nodeID] = .init(contacts: [second], delay: .milliseconds(30))
        table[seeds[2].nodeID] = .init(contacts: [third], delay: .milliseconds(30))
        // Asked at about 10 ms, the lead answers at about 50 ms, before its 60 ms attempt deadline.
        table[lead.nodeID] = .init(contacts: [], records: leadHolds ? [record] : [], delay: .milliseconds(40))
        table[second.nodeID] = .init(contacts: [], records: [record])
        table[third.nodeID] = .init(contacts: [], records: [record])
        let network = ScriptedLookupNetwork(nodes: table, attemptTimeout: .milliseconds(50))
        var lookup = IterativeLookup(network: network, target: target,
                                     mode: .records(recType: RecordType.endpoint, hitThreshold: 1),
                                     deadline: network.clock.now() + .seconds(10), paths: 3)
        let contacts = seeds.map(Contact.init(nodeInfo:))
        return (await lookup.run(seeds: contacts, localRecords: []), network, record.record)
    }

    @Test func pathsWaitForACloserRequestThatEndsTheSearch() async throws {
        let (outcome, network, record) = try await search(leadHolds: true)
        #expect(outcome.records.map(\.record) == [record])
        #expect(outcome.queried == 4, "the seeds and the lead only; asked: \(network.asked.withLock { $0.count })")
    }

    @Test func pathsGoOnOnceTheCloserRequestAnswersWithoutTheRecord() async throws {
        let (outcome, _, record) = try await search(leadHolds: false)
        #expect(outcome.records.map(\.record) == [record])
        #expect(outcome.queried >= 5, "a waiting path went on after the lead answered empty-handed")
    }
}
