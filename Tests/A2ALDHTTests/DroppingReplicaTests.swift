import A2ALCore
import A2ALProtocol
import A2ALSimulation
import A2ALTestSupport
import Testing
@testable import A2ALDHT

/// A peer that acknowledges a STORE and keeps nothing (the simulator's `lie` adversary) is found
/// out by the first probe of an endpoint replica, which asks for the record, and is never asked
/// to store it again (docs/routing.md §5.7). A PING probe alone kept such a peer forever.
@Suite struct DroppingReplicaTests {
    @Test(.timeLimit(.minutes(2))) func aReplicaThatDroppedTheRecordIsReplacedAndNotAskedAgain() async throws {
        try await withCluster(TestCluster(size: 30), joined: true) { c in
            let identity = try #require(AdversaryIdentities.make(count: 1, seed: 17).first)
            let endpoint = WireEndpoint(ip: IPAddress(ipv4: 0x0a00_0063), port: 4000)
            let directory = AdversaryDirectory(adversaries: [NodeInfo(address: identity.address, endpoint: endpoint)],
                                               honest: try c.nodes.map { NodeInfo(address: $0.address, endpoint: try #require($0.localAddress.udp)) })
            let liar = try AdversaryNode(identity: identity, endpoint: endpoint, behaviour: .lie, directory: directory,
                                         network: c.network, clock: c.clock)
            try await liar.start()
            do {
                // The publisher is the node closest to the liar, so the liar is among the nodes
                // closest to the publisher's key, where renewals store.
                let publisher = try #require(c.nodes.min { liar.nodeID.isCloser($0.nodeID, than: $1.nodeID) })
                let record = try publisher.publishOwnEndpoint(EndpointPayload(endpoints: ["quic://10.8.9.1:4433"]))
                try await waitUntil(seconds: 30) { publisher.replicationSummary.replicas >= ReplicationConstants.target }
                let key = publisher.nodeID
                let rk = ReplicaKey(storeKey: key, publisher: key, recType: RecordType.endpoint)
                // The liar acknowledges a STORE like any holder, so it joins the set.
                await publisher.store(record, in: rk, at: [(liar.nodeID, liar.peerAddress)])
                #expect(publisher.replicaHolders(key: key, publisher: key, recType: RecordType.endpoint).contains(liar.nodeID))

                publisher.makeReplicaProbesDue(forcePing: false)
                await publisher.runMaintenancePass()
                let holders = publisher.replicaHolders(key: key, publisher: key, recType: RecordType.endpoint)
                #expect(!holders.contains(liar.nodeID), "the liar is still counted as a replica")
                #expect(holders.count >= ReplicationConstants.target)
                // A renewal stores at the closest nodes it finds, the liar among them, and the liar
                // would acknowledge again; it is not asked, so it stays out.
                try #require(publisher.nearest(to: key, count: NodeConstants.k).contains { $0.nodeID == liar.nodeID })
                await publisher.renew(rk)
                #expect(!publisher.replicaHolders(key: key, publisher: key, recType: RecordType.endpoint).contains(liar.nodeID),
                        "the renewal stored at the liar again")
            } catch {
                await liar.close()
                throw error
            }
            await liar.close()
        }
    }
}
