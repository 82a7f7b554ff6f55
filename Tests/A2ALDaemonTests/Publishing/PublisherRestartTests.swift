import A2ALCore
import A2ALDHT
import A2ALDaemon
import A2ALProtocol
import A2ALRPC
import Testing

/// A daemon restarting on the same data directory republishes what it published before.
@Suite(.serialized) struct PublisherRestartTests {
    @Test func aNewPublisherOverTheSameFilesRepublishesWithAHigherSeq() async throws {
        let identity = Ed25519.KeyPair.generate()
        try await withCluster(PubNetwork(ipBase: 0x0a10_0001)) { net in
            var nodes = [try await net.node(0, identity: identity)]
            for i in 1..<5 {
                let n = try await net.node(i)
                try await n.bootstrap(addresses: [nodes[0].localAddress])
                nodes.append(n)
            }
            let dir = try PubDataDir()
            let first = try PubDaemon(node: nodes[0], dir: dir)
            let agent = try await first.createAgent("restarted")
            let address = try pubAddress(agent)
            let endpoint = try await first.call("publish.endpoint", ["agent": .string(agent), "endpoints": ["quic://10.16.0.1:1"]])
            let topic = try await first.call("publish.topic", ["agent": .string(agent), "topic": "restart.test",
                                                               "meta": ["n": 1]])
            let oldEndpointSeq = try endpoint.pubObject("record").pubU64("seq")
            let oldTopicSeq = try topic.pubObject("record").pubU64("seq")
            await nodes[0].close()

            // The restarted daemon: a new node with the same identity and address, the same data
            // directory. Its peers still know it; its record store starts empty.
            let node = try await net.node(0, identity: identity)
            nodes[0] = node
            try await node.bootstrap(addresses: [nodes[1].localAddress])
            #expect(node.localGet(address.nodeID).isEmpty)
            let second = try PubDaemon(node: node, dir: dir)
            #expect(await second.publisher.start() == 2)

            let listed = try await second.call("publish.list").pubArray("publications").compactMap(\.objectValue)
            #expect(listed.map { $0["id"] } == [endpoint["publication"], topic["publication"]])
            let newEndpointSeq = try #require(listed.first).pubU64("seq")
            let newTopicSeq = try #require(listed.last).pubU64("seq")
            #expect(newEndpointSeq > oldEndpointSeq && newTopicSeq > oldTopicSeq)
            // The seqs are saved, so yet another restart goes higher still.
            let saved = try PublicationStore(path: dir.publicationsPath).list()
            #expect(saved.map(\.lastSeq) == [newEndpointSeq, newTopicSeq])

            let replicas = await ReplicaWait.confirmedReplicas(node: node, key: address.nodeID, publisher: address.nodeID,
                                                               type: RecordType.endpoint, within: .seconds(10))
            #expect(replicas > 0)
            let resolved = try await nodes[3].resolve(address)
            #expect(resolved.record.seq == newEndpointSeq)
            #expect(resolved.payload.endpoints == ["quic://10.16.0.1:1"])
            let topics = try await nodes[2].aggregateRecords(TopicKey.key(for: "restart.test"), recType: RecordType.topic)
            let mine = try #require(topics.first { $0.address == address })
            #expect(mine.seq == newTopicSeq)
            #expect(try TopicPayload(encoded: mine.payload ?? []).meta == ["n": .unsigned(1)])
        }
    }

    @Test func aPublicationWhoseAgentIsGoneIsDroppedAtStartNotRepublished() async throws {
        try await withCluster(PubNetwork(ipBase: 0x0a11_0001)) { net in
            let node = try await net.node(0)
            let dir = try PubDataDir()
            let first = try PubDaemon(node: node, dir: dir)
            let agent = try await first.createAgent()
            _ = try await first.call("publish.custom", ["agent": .string(agent), "type": 0x21, "data": "AQI=", "timeout_ms": 50])
            // The agent disappears behind the publisher's back (agents.json edited by hand).
            #expect(try first.agents.remove(try pubAddress(agent)))

            // What Daemon.start does before republishing (docs/jsonrpc.md, "Configuration and data directory").
            let second = try PubDaemon(node: node, dir: dir)
            #expect(try second.publisher.dropOrphanPublications().count == 1)
            #expect(await second.publisher.start() == 0)
            #expect(try await second.call("publish.list").pubArray("publications").isEmpty)
            #expect(try PublicationStore(path: dir.publicationsPath).list().isEmpty)
        }
    }
}
