import A2ALCore
import A2ALProtocol
import A2ALSimulation
import Testing
@testable import A2ALDHT

/// Lookups that shrug off loss (docs/routing.md §3.6, §3.8): a lost datagram is hedged after
/// one attempt deadline from measured round trips, and a silent peer among the closest holds
/// the lookup only until its hedges are due — never the old 400 ms floor or 2 s default.
/// Times are checked against the deadline the node derived from its own measurements (the
/// machine may be loaded, which lengthens the RTTs it measures); the policy's figures for a
/// given RTT are checked exactly in `attemptDeadlinesFollowMeasuredRoundTrips`.
@Suite(.serialized) struct LookupLossTests {
    /// The attempt deadline `node` gives `peer` now (docs/routing.md §3.6).
    func attemptTimeout(_ node: DHTNode, _ peer: NodeID) -> Duration {
        node.state.withLock { $0.roundTrips.attemptTimeout(peerRTT: $0.health.rtt(of: peer)) }
    }

    @Test func aLostRequestIsHedgedAndTheLookupStillFindsItsPeer() async throws {
        try await withCluster(TestCluster(size: 1)) { c in
            let peer = try await LossyPeer(c.network, ip: 0x0a40_0001, dropFirst: 1)
            // The ping measures the peer's RTT and puts it in the table, as the lookup's only seed.
            _ = try await c.nodes[0].ping(peer.address, timeout: .seconds(5))
            let start = c.clock.now()
            let found = await c.nodes[0].lookup(NodeID.random())
            let took = c.clock.now() - start
            #expect(found.map(\.nodeID) == [peer.nodeID], "the hedge's answer counts")
            // A loaded machine may send the third attempt too; each has its own tx_id.
            #expect(peer.requestCount >= 2 && peer.distinctRequestIDs == peer.requestCount, "hedged with fresh tx_ids")
            // The answer came within the hedge's budget: the first request's loss cost one
            // attempt deadline, where the one-attempt RPC failed the lookup outright.
            let a = attemptTimeout(c.nodes[0], peer.nodeID)
            #expect(took < a * LookupConstants.attemptsPerPeer, "took \(took), attempt deadline \(a)")
        }
    }

    @Test func aLostDatagramCostsAResolveLessThanTheOldFloor() async throws {
        try await withCluster(TestCluster(size: 1)) { c in
            let owner = Ed25519.KeyPair.generate()
            let record = try endpointRecord(owner, now: c.clock.unixSeconds(), endpoint: "quic://10.7.0.1:4433")
            let holder = try await LossyPeer(c.network, ip: 0x0a40_0002, dropFirst: 1, records: [record])
            _ = try await c.nodes[0].ping(holder.address, timeout: .seconds(5))
            let start = c.clock.now()
            let resolved = try await c.nodes[0].resolve(owner.address)
            let took = c.clock.now() - start
            #expect(resolved.payload.endpoints == ["quic://10.7.0.1:4433"])
            #expect(holder.requestCount >= 2)
            let a = attemptTimeout(c.nodes[0], holder.nodeID)
            #expect(took < a * LookupConstants.attemptsPerPeer, "took \(took), attempt deadline \(a)")
        }
    }

    @Test func aSilentPeerAmongTheClosestHoldsTheLookupOnlyUntilItsRPCDeadline() async throws {
        try await withCluster(TestCluster(size: 1)) { c in
            let silent = try await LossyPeer(c.network, ip: 0x0a40_0003, dropFirst: .max)
            let live = try await LossyPeer(c.network, ip: 0x0a40_0004, dropFirst: 0)
            for p in [silent, live] { _ = try await c.nodes[0].ping(p.address, timeout: .seconds(5)) }
            let start = c.clock.now()
            let found = await c.nodes[0].lookup(NodeID.random())
            let took = c.clock.now() - start
            #expect(found.map(\.nodeID) == [live.nodeID])
            #expect(silent.requestCount == LookupConstants.attemptsPerPeer, "every hedge went out before giving up")
            // The lookup waits for the silent peer until its RPC's deadline (with 150 ms for
            // scheduling), while the live one answered beside it.
            let a = attemptTimeout(c.nodes[0], silent.nodeID)
            let rpcDeadline = max(a * LookupConstants.attemptsPerPeer, LookupConstants.minRPCTimeout)
            #expect(took < rpcDeadline + .milliseconds(150), "took \(took), attempt deadline \(a)")
        }
    }

    @Test func attemptDeadlinesFollowMeasuredRoundTrips() {
        var estimate = RoundTripEstimator()
        #expect(estimate.attemptTimeout(peerRTT: nil) == LookupConstants.unmeasuredAttemptTimeout)
        for _ in 0..<50 { estimate.add(.milliseconds(20)) }
        // A steady 20 ms: the deadline is the RTT, half of it again, and the margin.
        #expect(estimate.attemptTimeout(peerRTT: nil) == .milliseconds(35))
        // A lost datagram on a 20 ms path costs 35 ms, not the 400 ms floor of one attempt.
        #expect(estimate.attemptTimeout(peerRTT: .milliseconds(20)) < .milliseconds(400))
        #expect(estimate.attemptTimeout(peerRTT: .milliseconds(100)) == .milliseconds(155))
        // A noisy network widens every deadline through the deviation.
        for i in 0..<50 { estimate.add(.milliseconds(i % 2 == 0 ? 10 : 90)) }
        #expect(estimate.attemptTimeout(peerRTT: .milliseconds(20)) > .milliseconds(100))
        #expect(estimate.attemptTimeout(peerRTT: .seconds(30)) == LookupConstants.maxAttemptTimeout)
    }
}
