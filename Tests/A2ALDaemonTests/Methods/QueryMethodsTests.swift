import A2ALCore
import A2ALDHT
import A2ALDaemon
import A2ALProtocol
import A2ALRPC
import Testing

/// The query.* lookups across a small joined network; node 0 asks.
@Suite struct QueryMethodsTests {
    @Test func findNodeAndRecords() async throws {
        try await withCluster(MethodCluster(size: 5)) { c in
            try await c.join()

            let nodes = try #require(try await c.call("query.find_node", ["target": .string(c.nodes[3].nodeID.description)])["nodes"]?.arrayValue)
            #expect(nodes.count == 4)
            #expect(nodes.first?["node_id"]?.stringValue == c.nodes[3].nodeID.description)  // closest first

            // Records held by node 3 only, found over the network.
            let rec = try endpointRecord(c.keys[3])
            try c.nodes[3].localPut(rec)
            let key = c.nodes[3].nodeID.description
            let found = try await c.call("query.find_records", ["key": .string(key), "type": 1])
            #expect(found["records"]?.arrayValue?.map { $0["raw"] } == [raw(rec)])
            let aggregated = try await c.call("query.aggregate_records", ["key": .string(key), "type": 0])
            #expect(aggregated["records"]?.arrayValue?.map { $0["raw"] } == [raw(rec)])

            let resolved = try await c.call("query.resolve", ["address": .string(c.nodes[3].address.text)])
            #expect(resolved["address"]?.stringValue == c.nodes[3].address.text)
            #expect(resolved["endpoint"]?["endpoints"] == ["quic://10.0.0.1:4242"] && resolved["endpoint"]?["nat_type"] == 1)
            #expect(resolved["record"]?["raw"] == raw(rec) && resolved["record"]?["key"]?.stringValue == key)

            // Nothing there: not_found.
            let nobody = Address.ed25519(publicKey: Ed25519.KeyPair.generate().publicKey)
            expectAppError(await c.failure("query.resolve", ["address": .string(nobody.text), "timeout_ms": 3000]), .notFound)
            expectAppError(await c.failure("query.find_records", ["key": .string(nobody.nodeID.description), "type": 0,
                                                                  "timeout_ms": 3000]), .notFound)
            expectAppError(await c.failure("query.aggregate_records", ["key": .string(nobody.nodeID.description), "type": 1,
                                                                       "timeout_ms": 3000]), .notFound)

            expectInvalidParams(await c.failure("query.find_records", ["key": .string(key)]), field: "type")
            expectInvalidParams(await c.failure("query.find_node", ["target": .string(key), "timeout_ms": 600_001]), field: "timeout_ms")
            expectInvalidParams(await c.failure("query.resolve", ["address": .string(key)]), field: "address")

            // Disjoint paths (docs/routing.md §3.13): the same answers over two paths; out of range is invalid.
            let twoPaths = try await c.call("query.resolve", ["address": .string(c.nodes[3].address.text), "disjoint_paths": 2])
            #expect(twoPaths["record"]?["raw"] == raw(rec))
            let closest = try await c.call("query.find_node", ["target": .string(c.nodes[3].nodeID.description), "disjoint_paths": 3])
            #expect(closest["nodes"]?.arrayValue?.count == 4)
            for method in ["query.find_node", "query.find_records", "query.aggregate_records", "query.resolve", "query.topic"] {
                let base: JSONObject
                switch method {
                case "query.find_node": base = ["target": .string(key)]
                case "query.resolve": base = ["address": .string(c.nodes[3].address.text)]
                case "query.topic": base = ["topic": "lang.translate"]
                default: base = ["key": .string(key), "type": 0]
                }
                for bad: JSONValue in [0, .int(Int64(LookupConstants.maxDisjointPaths) + 1), "2"] {
                    var params = base
                    params["disjoint_paths"] = bad
                    expectInvalidParams(await c.failure(method, params), field: "disjoint_paths")
                }
            }
        }
    }

    @Test func topicFilters() async throws {
        try await withCluster(MethodCluster(size: 5)) { c in
            try await c.join()
            let topic = "lang.translate"
            let announcements: [(Int, TopicPayload)] = [
                (1, TopicPayload(topic: topic, name: "Alpha Translator", protocols: ["a2a", "mcp"], tags: ["fr", "de"], brief: "one",
                                 meta: ["rate": .unsigned(5)])),
                (2, TopicPayload(topic: topic, name: "beta", protocols: ["a2a"], tags: ["fr"], brief: "two")),
                (3, TopicPayload(topic: topic, name: "Gamma", protocols: ["mcp"], tags: nil, brief: "three")),
            ]
            for (i, p) in announcements { try c.nodes[i].publish(try topicRecord(c.keys[i], p), at: p.key) }

            func names(_ params: JSONObject) async throws -> Set<String> {
                let r = try await c.call("query.topic", params)
                #expect(r["topic"]?.stringValue == topic && r["key"]?.stringValue == TopicKey.key(for: topic).description)
                return Set(try #require(r["entries"]?.arrayValue).compactMap { $0["name"]?.stringValue })
            }
            #expect(try await names(["topic": .string(topic)]) == ["Alpha Translator", "beta", "Gamma"])
            #expect(try await names(["topic": .string(topic), "protocols": ["a2a"]]) == ["Alpha Translator", "beta"])
            #expect(try await names(["topic": .string(topic), "protocols": ["a2a", "mcp"]]) == ["Alpha Translator"])
            #expect(try await names(["topic": .string(topic), "tags": ["fr"]]) == ["Alpha Translator", "beta"])
            #expect(try await names(["topic": .string(topic), "tags": ["fr"], "name_contains": "BET"]) == ["beta"])
            #expect(try await names(["topic": .string(topic), "tags": ["it"]]) == [])

            let r = try await c.call("query.topic", ["topic": .string(topic), "name_contains": "alpha"])
            let entry = try #require(r["entries"]?.arrayValue?.first)
            #expect(entry.objectValue?.keys == ["address", "name", "protocols", "tags", "brief", "meta", "record"])
            #expect(entry["address"]?.stringValue == c.nodes[1].address.text)
            #expect(entry["protocols"] == ["a2a", "mcp"] && entry["tags"] == ["fr", "de"] && entry["brief"] == "one")
            #expect(entry["meta"] == ["rate": 5] && entry["record"]?["type"] == "topic")

            // Nobody announces this topic: an empty directory, not an error.
            let empty = try await c.call("query.topic", ["topic": "nobody.here", "timeout_ms": 3000])
            #expect(empty["entries"] == [])
            expectInvalidParams(await c.failure("query.topic", [:]), field: "topic")
            expectInvalidParams(await c.failure("query.topic", ["topic": ""]), field: "topic")
            expectInvalidParams(await c.failure("query.topic", ["topic": .string(topic), "tags": "fr"]), field: "tags")
        }
    }

    @Test func lookupsOnAnIsolatedNodeStayWithinTheirTimeout() async throws {
        try await withCluster(MethodCluster(size: 1)) { c in
            // A contact that never answers: the lookup gives up at its deadline with nothing.
            c.nodes[0].addContact(.udp(WireEndpoint(ip: IPAddress(ipv4: 0x0a09_0909), port: 4000)),
                                  info: NodeInfo(address: Address.ed25519(publicKey: Ed25519.KeyPair.generate().publicKey),
                                                 endpoint: WireEndpoint(ip: IPAddress(ipv4: 0x0a09_0909), port: 4000)))
            let clock = ContinuousClock()
            let start = clock.now
            let r = try await c.call("query.find_node", ["target": .string(NodeID.random().description), "timeout_ms": 500])
            #expect(r["nodes"] == [])
            expectAppError(await c.failure("query.resolve", ["address": .string(c.nodes[0].address.text), "timeout_ms": 500]), .notFound)
            // Liveness only: both calls ended near their 500 ms budgets, far from the 10 s default.
            #expect(clock.now - start < .seconds(8))
        }
    }
}
