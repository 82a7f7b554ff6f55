import A2ALCore
import A2ALDHT
import A2ALDaemon
import A2ALProtocol
import A2ALRPC
import Testing

/// publish.* on node 0 of a six-node in-memory network; the other nodes check what arrived.
@Suite(.serialized) struct PublishMethodsTests {
    /// Six nodes, every one bootstrapped from node 0, which carries the daemon; all of them
    /// closed when `body` ends.
    func withNetwork(_ ipBase: UInt32, _ body: (PubDaemon, [DHTNode]) async throws -> Void) async throws {
        try await withCluster(PubNetwork(ipBase: ipBase)) { net in
            let nodes = try await net.nodes(6)
            try await body(try PubDaemon(node: nodes[0]), nodes)
        }
    }

    @Test func endpointIsSignedBackdatedReplicatedAndResolvable() async throws {
        try await withNetwork(0x0a07_0001) { d, nodes in
            let agent = try await d.createAgent()
            let before = d.publisher.nowUnix()
            let result = try await d.call("publish.endpoint", [
                "agent": .string(agent), "endpoints": ["quic://203.0.113.7:4001"], "nat_type": 2,
                "signals": ["wss://s1.example/ws", "wss://s2.example/ws"], "turns": ["turn:relay.example:3478"],
            ])
            let address = try pubAddress(agent)
            #expect(try result.pubString("publication").utf8.count == 16)
            #expect(try result.pubString("key") == address.nodeID.description)
            #expect(try result.pubInt("replicas") > 0)
            let record = try result.pubObject("record")
            #expect(try record.pubString("type") == "endpoint")
            #expect(try record.pubString("address") == agent)
            // Backdated a few seconds with the TTL widened so the expiry stays one hour out.
            let timestamp = try record.pubInt("timestamp")
            #expect(timestamp < Int64(before) && timestamp >= Int64(before) - 10)
            #expect(try record.pubInt("expires_at") == timestamp + (try record.pubInt("ttl_s")))
            #expect(try record.pubInt("expires_at") >= Int64(before) + 3600)
            let payload = try record.pubObject("payload")
            #expect(payload["signal"] == "wss://s1.example/ws")
            #expect(payload["nat_type"] == 2)

            for q in [2, 5] {
                let resolved = try await nodes[q].resolve(address)
                #expect(resolved.payload.endpoints == ["quic://203.0.113.7:4001"])
                #expect(resolved.payload.signals == ["wss://s1.example/ws", "wss://s2.example/ws"])
                #expect(resolved.record.seq == (try record.pubU64("seq")))
            }
        }
    }

    @Test func topicIsFoundByAggregationWithItsMetaIntact() async throws {
        try await withNetwork(0x0a08_0001) { d, nodes in
            let agent = try await d.createAgent()
            let meta: JSONValue = ["price": 3, "ratio": 0.5, "langs": ["en", "de"], "nested": ["ok": true, "none": nil]]
            let result = try await d.call("publish.topic", [
                "agent": .string(agent), "topic": "lang.translate", "name": "translator", "protocols": ["a2a"],
                "tags": ["fast"], "brief": "translates text", "meta": meta,
            ])
            #expect(try result.pubString("key") == TopicKey.key(for: "lang.translate").description)
            #expect(try result.pubInt("replicas") > 0)

            let found = try await nodes[4].aggregateRecords(TopicKey.key(for: "lang.translate"), recType: RecordType.topic)
            let mine = try #require(found.first { $0.address.text == agent })
            let payload = try TopicPayload(encoded: mine.payload ?? [])
            #expect(payload.name == "translator" && payload.protocols == ["a2a"] && payload.tags == ["fast"])
            #expect(payload.brief == "translates text")
            let shown = CBORJSON.object(from: payload.meta)
            for (k, v) in try #require(meta.objectValue) { #expect(shown[k] == v, "meta.\(k)") }
            #expect(shown.count == 4)
        }
    }

    @Test func customRecordTravelsAtTheAgentsKey() async throws {
        try await withNetwork(0x0a09_0001) { d, nodes in
            let agent = try await d.createAgent()
            let data: [UInt8] = [0, 1, 2, 0xFE, 0xFF]
            let result = try await d.call("publish.custom", ["agent": .string(agent), "type": 0x42,
                                                             "data": .string(Base64Text.encode(data)), "ttl_s": 600])
            let address = try pubAddress(agent)
            #expect(try result.pubString("key") == address.nodeID.description)
            let record = try result.pubObject("record")
            #expect(record["type_code"] == 0x42)
            #expect(try record.pubInt("ttl_s") >= 600)

            let found = try await nodes[3].findRecords(address.nodeID, recType: 0x42)
            #expect(found.map(\.payload) == [data])

            for type: JSONValue in [0x01, 0x10, 0x80, 0x8F, 0x00, 0x1F] {
                let e = await d.failure("publish.custom", ["agent": .string(agent), "type": type, "data": "AA=="])
                expectPubInvalidParams(e, field: "type")
            }
            expectPubInvalidParams(await d.failure("publish.custom", ["agent": .string(agent), "type": 0x42, "data": "A"]),
                                   field: "data")
            expectPubInvalidParams(await d.failure("publish.custom", ["agent": .string(agent), "type": 0x42]), field: "data")
        }
    }

    @Test func recordSignedElsewhereIsReplicatedOnceAndNotListed() async throws {
        try await withNetwork(0x0a0a_0001) { d, nodes in
            let outsider = Ed25519.KeyPair.generate()
            let now = d.publisher.nowUnix()
            let record = try SignedRecord.sign(recType: RecordType.endpoint,
                                               payload: EndpointPayload(endpoints: ["quic://198.51.100.1:4001"]).encoded,
                                               seq: 7, timestamp: now - 5, ttl: 600, signer: outsider)
            let key = JSONValue.string(outsider.address.nodeID.description)
            let result = try await d.call("publish.record", ["key": key, "record": .string(Base64Text.encode(record.encoded))])
            #expect(result["key"] == key)
            #expect(try result.pubInt("replicas") > 0)
            #expect(try result.pubObject("record")["seq"] == "7")
            #expect(try await nodes[5].resolve(outsider.address).record == record)
            #expect(try await d.call("publish.list").pubArray("publications").isEmpty)

            // The same record again is stale; a tampered copy is refused; a wrong key is refused.
            expectPubAppError(await d.failure("publish.record", ["key": key, "record": .string(Base64Text.encode(record.encoded))]),
                              .staleRecord)
            var tampered = record
            tampered.seq = 8
            expectPubAppError(await d.failure("publish.record", ["key": key, "record": .string(Base64Text.encode(tampered.encoded))]),
                              .invalidRecord)
            let newer = try SignedRecord.sign(recType: RecordType.endpoint, payload: record.payload, seq: 9, timestamp: now - 5,
                                              ttl: 600, signer: outsider)
            let elsewhere = JSONValue.string(NodeID.random().description)
            expectPubAppError(await d.failure("publish.record", ["key": elsewhere, "record": .string(Base64Text.encode(newer.encoded))]),
                              .invalidRecord)
            expectPubInvalidParams(await d.failure("publish.record", ["record": .string(Base64Text.encode(newer.encoded))]),
                                   field: "key")
        }
    }

    @Test func listShowsPublicationsAndWithdrawStopsOnlyTheOneWithdrawn() async throws {
        try await withNetwork(0x0a0b_0001) { d, nodes in
            let agent = try await d.createAgent()
            let address = try pubAddress(agent)
            let endpoint = try await d.call("publish.endpoint", ["agent": .string(agent), "endpoints": ["quic://10.11.0.1:1"]])
            let topic = try await d.call("publish.topic", ["agent": .string(agent), "topic": "weather"])
            let endpointID = try endpoint.pubString("publication")
            let topicID = try topic.pubString("publication")

            let listed = try await d.call("publish.list").pubArray("publications").compactMap(\.objectValue)
            #expect(listed.map { $0["id"] } == [.string(endpointID), .string(topicID)])
            let first = try #require(listed.first)
            #expect(first["kind"] == "endpoint" && first["agent"] == .string(agent))
            #expect(first["key"] == .string(address.nodeID.description))
            let endpointRecord = try endpoint.pubObject("record")
            #expect(first["seq"] == endpointRecord["seq"])
            #expect(first["expires_at"] == endpointRecord["expires_at"])
            let half = (try endpointRecord.pubInt("timestamp")) + (try endpointRecord.pubInt("ttl_s")) / 2
            #expect(try first.pubInt("next_renewal_at") == half)
            #expect(try first.pubInt("replicas") > 0)

            #expect(try await d.call("publish.withdraw", ["publication": .string(topicID)])["withdrawn"] == true)
            let topicKey = TopicKey.key(for: "weather")
            #expect(d.node.replicaHolders(key: topicKey, publisher: address.nodeID, recType: RecordType.topic).isEmpty)
            let after = try await d.call("publish.list").pubArray("publications").compactMap(\.objectValue)
            #expect(after.map { $0["id"] } == [.string(endpointID)])
            // The endpoint is untouched: same record, its replica set still in place.
            #expect(try #require(after.first).pubU64("seq") == (try endpointRecord.pubU64("seq")))
            let replicas = await ReplicaWait.confirmedReplicas(node: d.node, key: address.nodeID, publisher: address.nodeID,
                                                               type: RecordType.endpoint, within: .seconds(10))
            #expect(replicas > 0)

            let gone = await d.failure("publish.withdraw", ["publication": .string(topicID)])
            expectPubAppError(gone, .notFound)
            #expect(gone?.data?["publication"] == .string(topicID))
            expectPubInvalidParams(await d.failure("publish.withdraw", [:]), field: "publication")
        }
    }

    @Test func publishingTheSameSlotAgainKeepsTheIdAndRaisesTheSeq() async throws {
        try await withNetwork(0x0a0c_0001) { d, nodes in
            let agent = try await d.createAgent()
            let a = try await d.call("publish.endpoint", ["agent": .string(agent), "endpoints": ["quic://10.12.0.1:1"]])
            let b = try await d.call("publish.endpoint", ["agent": .string(agent), "endpoints": ["quic://10.12.0.2:2"]])
            #expect(a["publication"] == b["publication"])
            #expect(try b.pubObject("record").pubU64("seq") > (try a.pubObject("record").pubU64("seq")))
            #expect(try await d.call("publish.list").pubArray("publications").count == 1)
            let stored = try #require(PublicationStore(path: d.dir.publicationsPath).list().first)
            #expect(stored.lastSeq == (try b.pubObject("record").pubU64("seq")))
            #expect(stored.endpoint?.endpoints == ["quic://10.12.0.2:2"])
        }
    }

    @Test func unknownAgentIsNotFound() async throws {
        try await withNetwork(0x0a0d_0001) { d, nodes in
            let stranger = JSONValue.string(Ed25519.KeyPair.generate().address.text)
            for (method, params) in [("publish.endpoint", ["endpoints": [] as JSONValue]),
                                     ("publish.topic", ["topic": "x"]),
                                     ("publish.custom", ["type": 0x30, "data": "AA=="])] as [(String, JSONObject)] {
                var p = params
                p["agent"] = stranger
                let e = await d.failure(method, p)
                expectPubAppError(e, .notFound)
                #expect(e?.data?["agent"] == stranger, "\(method)")
            }
        }
    }

    @Test func badParamsNameTheField() async throws {
        try await withNetwork(0x0a0e_0001) { d, nodes in
            let agent = JSONValue.string(try await d.createAgent())
            let cases: [(String, JSONObject, String)] = [
                ("publish.endpoint", ["agent": agent], "endpoints"),
                ("publish.endpoint", ["endpoints": []], "agent"),
                ("publish.endpoint", ["agent": "0x1234", "endpoints": []], "agent"),
                ("publish.endpoint", ["agent": agent, "endpoints": [1]], "endpoints[0]"),
                ("publish.endpoint", ["agent": agent, "endpoints": [], "nat_type": 5], "nat_type"),
                ("publish.endpoint", ["agent": agent, "endpoints": [], "signal": "wss://a", "signals": ["wss://b"]], "signal"),
                ("publish.endpoint", ["agent": agent, "endpoints": [], "ttl_s": 0], "ttl_s"),
                ("publish.endpoint", ["agent": agent, "endpoints": [], "ttl_s": 86_401], "ttl_s"),
                ("publish.endpoint", ["agent": agent, "endpoints": [], "timout_ms": 5], "timout_ms"),
                ("publish.endpoint", ["agent": agent, "endpoints": [], "timeout_ms": 0], "timeout_ms"),
                ("publish.topic", ["agent": agent], "topic"),
                ("publish.topic", ["agent": agent, "topic": ""], "topic"),
                ("publish.topic", ["agent": agent, "topic": "t", "brief": .string(String(repeating: "é", count: 141))], "brief"),
                ("publish.topic", ["agent": agent, "topic": "t", "meta": [1, 2]], "meta"),
                ("publish.topic", ["agent": agent, "topic": "t", "tags": "fast"], "tags"),
                ("publish.custom", ["agent": agent, "type": 300, "data": "AA=="], "type"),
            ]
            for (method, params, field) in cases {
                expectPubInvalidParams(await d.failure(method, params), field: field)
            }
            #expect(try await d.call("publish.list").pubArray("publications").isEmpty)
        }
    }

    @Test func aRecordTooLargeForADatagramIsRefused() async throws {
        try await withNetwork(0x0a0f_0001) { d, nodes in
            let agent = JSONValue.string(try await d.createAgent())
            let long = JSONValue.string("quic://" + String(repeating: "h", count: 300) + ":1")
            let e = await d.failure("publish.endpoint", ["agent": agent, "endpoints": [long, long]])
            expectPubAppError(e, .invalidRecord)
            #expect(e?.message.contains("too large") == true)
            let topic = await d.failure("publish.topic", ["agent": agent, "topic": "t",
                                                          "meta": ["blob": .string(String(repeating: "m", count: 600))]])
            expectPubAppError(topic, .invalidRecord)
            #expect(try await d.call("publish.list").pubArray("publications").isEmpty)
        }
    }
}
