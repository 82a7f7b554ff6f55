import A2ALCore
import A2ALProtocol
import A2ALSimulation
import A2ALTestSupport
import Testing
@testable import A2ALDHT

/// A peer that acknowledges a STORE and keeps nothing (the simulator's `lie` adversary) is found
/// out by the first probe of an endpoint replica, which asks for the record, is never asked to
/// store it again, and is banned from the routing table and our lookups for a while
/// (docs/routing.md §5.7), and leaves every other replica set it was in. A PING probe alone kept
/// such a peer forever.
@Suite struct DroppingReplicaTests {
    @Test(.timeLimit(.minutes(2))) func aReplicaThatDroppedTheRecordIsReplacedBannedAndNotAskedAgain() async throws {
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

                // The liar also holds a mailbox record addressed to it, whose probes only ping.
                // At the liar's own ID it is the closest node there, so no trim takes it out.
                let mail = try StoreFixture.mailbox(try StoreFixture.signer(33), to: identity.address,
                                                    timestamp: publisher.clock.unixSeconds(), ttl: 3600)
                let mailKey = try publisher.publish(mail, at: liar.nodeID)
                let mailRK = ReplicaKey(storeKey: mailKey, publisher: mail.address.nodeID, recType: RecordType.mailbox)
                let mailHolders = { publisher.replicaHolders(key: mailKey, publisher: mail.address.nodeID, recType: RecordType.mailbox) }
                try await waitUntil(seconds: 30) { mailHolders().count >= ReplicationConstants.target }
                await publisher.store(mail, in: mailRK, at: [(liar.nodeID, liar.peerAddress)])
                try #require(mailHolders().contains(liar.nodeID))

                try #require(publisher.nearest(to: key, count: NodeConstants.k).contains { $0.nodeID == liar.nodeID })
                publisher.makeReplicaProbesDue(forcePing: false)
                await publisher.runMaintenancePass()
                #expect(!publisher.replicaHolders(key: key, publisher: key, recType: RecordType.endpoint).contains(liar.nodeID),
                        "the liar is still counted as a replica")
                // Caught in one set, it leaves the others in the same pass.
                #expect(!mailHolders().contains(liar.nodeID), "the banned liar still counts as a holder of the mailbox record")
                // The liar is banned: out of the routing table, and kept out when it is heard
                // from first-hand again (docs/security.md, "Peers that drop records").
                #expect(publisher.isBannedForWithholding(liar.nodeID))
                #expect(!publisher.routingEntries().contains { $0.contact.nodeID == liar.nodeID })
                publisher.addVerified(Contact(nodeInfo: liar.info), dial: liar.peerAddress)
                #expect(!publisher.routingEntries().contains { $0.contact.nodeID == liar.nodeID },
                        "a banned peer came back into the routing table")
                let stats = publisher.debugStats()
                #expect(stats.withholdingReplicas == 1)
                #expect(stats.withholdingBans == 1)
                // The set is refilled by a new lookup of the key (in the background).
                try await waitUntil(seconds: 30) {
                    publisher.replicaHolders(key: key, publisher: key, recType: RecordType.endpoint).count >= ReplicationConstants.target
                }
                // Lookups neither ask the liar nor count it among the closest, although honest
                // nodes still name it in their answers; and a renewal does not store at it.
                for node in c.nodes where node !== publisher {
                    node.addVerified(Contact(nodeInfo: liar.info), dial: liar.peerAddress)
                }
                try #require(c.nodes.contains { node in
                    node !== publisher && node.nearest(to: key, count: NodeConstants.k).contains { $0.nodeID == liar.nodeID }
                })
                liar.watchRequests(from: publisher.nodeID)
                let closest = await publisher.lookup(key)
                #expect(!closest.contains { $0.nodeID == liar.nodeID }, "a lookup counted the banned liar")
                await publisher.renew(rk)
                #expect(liar.counters.requestsFromWatched == 0, "the publisher asked the banned liar again")
                #expect(!publisher.replicaHolders(key: key, publisher: key, recType: RecordType.endpoint).contains(liar.nodeID),
                        "the renewal stored at the liar again")
            } catch {
                await liar.close()
                throw error
            }
            await liar.close()
        }
    }

    /// A renewal reads the set's members, then STOREs at them: a member banned in between (caught
    /// withholding another record) answers, and must not be admitted again.
    @Test(.timeLimit(.minutes(1))) func aPeerBannedWhileOurStoreIsInFlightJoinsNoSet() async throws {
        try await withCluster(TestCluster(size: 3), joined: true) { c in
            let publisher = c.nodes[0], peer = c.nodes[1]
            let record = try publisher.publishOwnEndpoint(EndpointPayload(endpoints: ["quic://10.8.9.2:4433"]))
            let key = publisher.nodeID
            let holders = { publisher.replicaHolders(key: key, publisher: key, recType: RecordType.endpoint) }
            try await waitUntil(seconds: 30) { holders().contains(peer.nodeID) }
            let now = publisher.clock.now()
            publisher.state.withLock { $0.routing.banForWithholding(peer.nodeID, now: now) }
            await publisher.store(record, in: ReplicaKey(storeKey: key, publisher: key, recType: RecordType.endpoint),
                                  at: [(peer.nodeID, c.address(1))])
            #expect(!holders().contains(peer.nodeID), "a banned peer was admitted by a STORE already on its way")
        }
    }
}
