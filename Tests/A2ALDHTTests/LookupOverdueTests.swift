import A2ALCore
import A2ALProtocol
import Testing
@testable import A2ALDHT

/// A node lookup stops waiting on a candidate whose every hedge went unanswered, but never
/// before `LookupConstants.minOverdueWait` (docs/routing.md §3.8).
@Suite struct LookupOverdueTests {
    /// 24 nodes that each report all the others; the one closest to the target answers only
    /// after `closestDelay`. Attempt deadlines are 50 ms, so its hedges are all due by 150 ms.
    func lookUp(closestDelay: Duration, mode: IterativeLookup.Mode = .nodes) async
        -> (outcome: IterativeLookup.Outcome, took: Duration, closest: NodeID) {
        let target = NodeID.random()
        let infos = byDistance((0..<24).map(scriptedInfo), to: target)
        var table: [NodeID: ScriptedLookupNetwork.Node] = [:]
        for info in infos { table[info.nodeID] = .init(contacts: infos) }
        table[infos[0].nodeID]?.delay = closestDelay
        let network = ScriptedLookupNetwork(nodes: table, attemptTimeout: .milliseconds(50))
        var lookup = IterativeLookup(network: network, target: target, mode: mode,
                                     deadline: network.clock.now() + .seconds(10))
        let seeds = infos.suffix(3).map(Contact.init(nodeInfo:))
        let start = network.clock.now()
        let outcome = await lookup.run(seeds: seeds, localRecords: [])
        return (outcome, network.clock.now() - start, infos[0].nodeID)
    }

    @Test func aSilentClosestPeerHoldsANodeLookupOnlyUntilItIsOverdue() async {
        let (outcome, took, silent) = await lookUp(closestDelay: .seconds(5))
        #expect(took < .seconds(1), "waited \(took) on a peer whose hedges all went unanswered")
        #expect(took >= .milliseconds(390), "gave up on it after \(took), before the least wait")
        #expect(outcome.nodes.count == NodeConstants.k)
        #expect(!outcome.nodes.contains { $0.nodeID == silent })
    }

    @Test func aSlowClosestPeerAnsweringWithinTheLeastWaitIsKept() async {
        let (outcome, took, slow) = await lookUp(closestDelay: .milliseconds(300))
        #expect(outcome.nodes.first?.nodeID == slow, "the slow closest peer is in the result")
        #expect(took >= .milliseconds(290))
        #expect(took < .seconds(1))
    }

    @Test func aRecordSearchStillWaitsForTheRPC() async {
        // Aggregating searches gather every record of the closest holders: no overdue state.
        let (_, took, _) = await lookUp(closestDelay: .milliseconds(1500),
                                        mode: .records(recType: RecordType.endpoint, hitThreshold: 0))
        #expect(took >= .milliseconds(1400), "stopped after \(took)")
    }
}
