import A2ALCore
import A2ALDHT
import A2ALDaemon
import A2ALProtocol
import A2ALRPC
import Testing

/// agent.* on a daemon whose node stands alone (nothing here touches the network).
@Suite struct AgentMethodsTests {
    func daemon() async throws -> PubDaemon {
        try PubDaemon(node: try await PubNetwork(ipBase: 0x0a06_0001).node(0))
    }

    @Test func createdAgentsAreListedWithTheirNodeID() async throws {
        try await withCluster(daemon()) { d in
            let before = d.publisher.nowUnix()
            let created = try await d.call("agent.create", ["label": "alice"])
            let address = try pubAddress(try created.pubString("address"))
            #expect(try created.pubString("node_id") == address.nodeID.description)
            #expect(try created.pubString("label") == "alice")
            #expect(try created.pubInt("created_at") >= Int64(before))
            let unlabelled = try await d.call("agent.create")
            #expect(try unlabelled.pubString("label") == "")

            let list = try await d.call("agent.list")
            let agents = try list.pubArray("agents").compactMap(\.objectValue)
            // agent.list adds each agent's mailbox counts (docs/jsonrpc.md, "agent.*").
            let withCounts = [created, unlabelled].map { a -> JSONObject in
                var o = a
                o["mailbox"] = ["unread": 0, "acked": 0]
                return o
            }
            #expect(agents == withCounts)
        }
    }

    @Test func importTakesASeedAndRefusesADuplicate() async throws {
        try await withCluster(daemon()) { d in
            let pair = Ed25519.KeyPair.generate()
            let imported = try await d.call("agent.import", ["private_key": .string(Hex.encode(pair.seed)), "label": "bob"])
            #expect(try imported.pubString("address") == pair.address.text)

            let again = await d.failure("agent.import", ["private_key": .string(Hex.encode(pair.seed))])
            expectPubAppError(again, .conflict)
            #expect(again?.data?["agent"]?.stringValue == pair.address.text)

            expectPubInvalidParams(await d.failure("agent.import", ["private_key": "abcd"]), field: "private_key")
            expectPubInvalidParams(await d.failure("agent.import", [:]), field: "private_key")
            expectPubInvalidParams(await d.failure("agent.import", ["private_key": .string(Hex.encode(pair.seed)), "lable": "x"]),
                                   field: "lable")
        }
    }

    @Test func exportNeedsConfirmationAndGivesBackTheSeed() async throws {
        try await withCluster(daemon()) { d in
            let pair = Ed25519.KeyPair.generate()
            _ = try await d.call("agent.import", ["private_key": .string(Hex.encode(pair.seed))])
            let address = JSONValue.string(pair.address.text)

            let unconfirmed = await d.failure("agent.export", ["address": address])
            expectPubInvalidParams(unconfirmed, field: "confirm")
            #expect(unconfirmed?.message.contains("private key") == true)
            expectPubInvalidParams(await d.failure("agent.export", ["address": address, "confirm": false]), field: "confirm")
            expectPubInvalidParams(await d.failure("agent.export", ["address": address, "confirm": "yes"]), field: "confirm")

            let exported = try await d.call("agent.export", ["address": address, "confirm": true])
            #expect(try exported.pubString("private_key") == Hex.encode(pair.seed))
            #expect(try exported.pubString("address") == pair.address.text)

            let stranger = JSONValue.string(Ed25519.KeyPair.generate().address.text)
            let unknown = await d.failure("agent.export", ["address": stranger, "confirm": true])
            expectPubAppError(unknown, .notFound)
            #expect(unknown?.data?["agent"] == stranger)
        }
    }

    @Test func removeForgetsTheAgentAndWithdrawsItsPublications() async throws {
        try await withCluster(daemon()) { d in
            let agent = try await d.createAgent()
            _ = try await d.call("publish.endpoint", ["agent": .string(agent), "endpoints": ["quic://10.6.0.1:4001"],
                                                     "timeout_ms": 100])
            _ = try await d.call("publish.topic", ["agent": .string(agent), "topic": "chat", "timeout_ms": 100])

            let removed = try await d.call("agent.remove", ["address": .string(agent)])
            #expect(removed["removed"] == true)
            #expect(try removed.pubInt("withdrawn") == 2)
            #expect(try await d.call("agent.list").pubArray("agents").isEmpty)
            #expect(try await d.call("publish.list").pubArray("publications").isEmpty)
            #expect(d.node.replicationSummary.sets == 0)
            // What a restart would load agrees.
            #expect(try AgentStore(path: d.dir.agentsPath).list().isEmpty)
            #expect(try PublicationStore(path: d.dir.publicationsPath).list().isEmpty)

            expectPubAppError(await d.failure("agent.remove", ["address": .string(agent)]), .notFound)
            expectPubInvalidParams(await d.failure("agent.remove", ["address": "not-an-address"]), field: "address")
            expectPubInvalidParams(await d.failure("agent.remove", [:]), field: "address")
        }
    }

    @Test func labelsAreBounded() async throws {
        try await withCluster(daemon()) { d in
            let long = String(repeating: "x", count: AgentMethods.maxLabelBytes + 1)
            expectPubInvalidParams(await d.failure("agent.create", ["label": .string(long)]), field: "label")
            expectPubInvalidParams(await d.failure("agent.create", ["label": 5]), field: "label")
            expectPubInvalidParams(await d.failure("agent.list", ["verbose": true]), field: "verbose")
        }
    }
}
