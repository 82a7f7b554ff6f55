import A2ALCore
@testable import A2ALDHT
@testable import A2ALDebugHTTP
import A2ALProtocol
import A2ALRPC
import Foundation
import A2ALTestSupport
import Testing
@testable import A2ALUDP

/// The Go-compatible JSON text and duration forms behind the debug pages (docs/node-behaviour.md
/// §9.2).
@Suite struct DebugHTTPJSONTests {
    @Test func escapesLikeGo() {
        let s = JSONValue.string("q\"b\\n\n r\r t\t b\u{08} f\u{0C} c\u{01}\u{1F} <a>&amp; \u{2028}\u{2029} é ✓ 🎉 /")
        #expect(GoJSON.encode(s) == #""q\"b\\n\n r\r t\t b\b f\f c\u0001\u001f \u003ca\u003e\u0026amp; \u2028\u2029 é ✓ 🎉 /""# + "\n")
    }

    @Test func indentsLikeGoEncoder() {
        let value: JSONValue = [
            "name": .string("x"),
            "n": .int(-3),
            "u": .integer(UInt64.max),
            "f": .double(0.5),
            "ok": .bool(true),
            "none": .null,
            "empty_a": .array([]),
            "empty_o": .object([:]),
            "list": .array([.int(1), .object(["k": .string("v")]), .array([.null])]),
        ]
        let expected = """
        {
          "name": "x",
          "n": -3,
          "u": 18446744073709551615,
          "f": 0.5,
          "ok": true,
          "none": null,
          "empty_a": [],
          "empty_o": {},
          "list": [
            1,
            {
              "k": "v"
            },
            [
              null
            ]
          ]
        }

        """
        #expect(GoJSON.encode(value) == expected)
    }

    @Test func topLevelScalarsAndEmptyContainers() {
        #expect(GoJSON.encode(.null) == "null\n")
        #expect(GoJSON.encode(.array([])) == "[]\n")
        #expect(GoJSON.encode(.object([:])) == "{}\n")
        #expect(GoJSON.encode(.double(.nan)) == "null\n")
    }

    @Test(arguments: [
        (1.0, "1"), (0.25, "0.25"), (-2.5, "-2.5"), (123.456, "123.456"), (0.1 + 0.2, "0.30000000000000004"),
        (1e16, "10000000000000000"), (1e20, "100000000000000000000"), (1e21, "1e+21"), (1.5e22, "1.5e+22"),
        (0.000001, "0.000001"), (1e-7, "1e-7"), (1.5e-7, "1.5e-7"), (1e-100, "1e-100"),
        (1.7976931348623157e308, "1.7976931348623157e+308"), (0.0, "0"), (0.8333333333333334, "0.8333333333333334"),
    ])
    func floatsLikeGo(value: Double, text: String) {
        #expect(GoJSON.float(value) == text)
    }

    @Test(arguments: [
        (Int64(0), "0s"), (42, "42s"), (59, "59s"), (60, "1m0s"), (65, "1m5s"), (3600, "1h0m0s"),
        (7203, "2h0m3s"), (90061, "25h1m1s"), (-5, "-5s"), (Int64.min, "-2562047788015215h30m8s"),
    ])
    func durationsLikeGo(seconds: Int64, text: String) {
        #expect(DebugRoutes.goDuration(seconds: seconds) == text)
    }

    @Test func statsOmitZeroConfidenceAndVerifiedPeers() {
        var s = DebugStats(rxPacketsVerified: 1, txPackets: 2, rpcCompleted: 3, totalPeers: 4, reach1h: 0, reach24h: 5,
                           reach7d: 6, estimatedNetworkSize: 7, estimateConfidence: 0, verifiedPeers1h: 0,
                           uniqueNodesSinceStart: 8, droppedMalformed: 9, droppedRateLimited: 10,
                           droppedUnsolicited: 11, droppedUnknownType: 14, droppedJunkContacts: 0, replySendFailures: 0,
                           push: PushStats(droppedUnexpected: 15, droppedInvalid: 16, received: 0, sent: 0, acknowledged: 0,
                                           rateLimited: 0, subscriptionsRegistered: 0, subscriptionsRefused: 0,
                                           subscribers: 0, expectedPushes: 0, watchedKeys: 0),
                           storeKeys: 12, storeRecords: 13)
        let base = ["rx_packets_verified", "tx_packets", "rpc_completed", "total_peers", "reach_1h", "reach_24h",
                    "reach_7d", "estimated_network_size"]
        let tail = ["unique_nodes_since_start", "dropped_malformed", "dropped_rate_limited", "dropped_unsolicited",
                    "dropped_unknown_type", "dropped_unexpected_push", "dropped_invalid_push", "store_keys", "store_records"]
        #expect(jsonKeys(GoJSON.encode(DebugRoutes.statsJSON(s))) == base + tail)
        s.estimateConfidence = 0.75
        s.verifiedPeers1h = 2
        let text = GoJSON.encode(DebugRoutes.statsJSON(s))
        #expect(jsonKeys(text) == base + ["estimate_confidence", "verified_peers_1h"] + tail)
        #expect(text.contains("\"estimate_confidence\": 0.75,\n"))
    }
}

/// Keys of the JSON object lines indented by `depth` levels, in text order.
func jsonKeys(_ text: String, depth: Int = 1) -> [String] {
    let prefix = String(repeating: "  ", count: depth) + "\""
    return text.split(separator: "\n").compactMap { line in
        guard line.hasPrefix(prefix), let end = line.dropFirst(prefix.count).firstIndex(of: "\"") else { return nil }
        return String(line[line.index(line.startIndex, offsetBy: prefix.count)..<end])
    }
}

/// The debug listener end to end: two nodes over loopback UDP, pages fetched over raw TCP.
@Suite struct DebugHTTPServerTests {
    func makeNode() async throws -> (DHTNode, Ed25519.KeyPair) {
        let key = Ed25519.KeyPair.generate()
        let store = MemoryKeyStore()
        _ = try store.add(key)
        let transport = try await UDPTransport.bind(host: "127.0.0.1", port: 0)
        let node = try DHTNode(config: .init(transport: transport, keyStore: store))
        try await node.start()
        return (node, key)
    }

    func endpointRecordForUDP(_ key: Ed25519.KeyPair) throws -> SignedRecord {
        let now = SystemClock().unixSeconds()
        return try SignedRecord.sign(recType: RecordType.endpoint,
                                     payload: EndpointPayload(endpoints: ["quic://127.0.0.1:4242"], natType: 0).encoded,
                                     seq: 1, timestamp: now, ttl: 600, signer: key)
    }

    func json(_ r: RawHTTP.Response) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(r.body), options: [.fragmentsAllowed])
    }

    func expectJSONHeaders(_ r: RawHTTP.Response) {
        #expect(r.statusLine == "HTTP/1.1 200 OK")
        #expect(r.headers["content-type"] == "application/json; charset=utf-8")
        #expect(r.headers["content-length"] == String(r.body.count))
        #expect(r.headers["connection"] == "close")
        #expect(r.bodyText.hasSuffix("\n"))
    }

    @Test func servesAllRoutes() async throws {
        let (a, keyA) = try await makeNode()
        let (b, _) = try await makeNode()
        // Before any traffic both list pages are `null`, as Go encodes nil slices.
        let empty = try await DebugHTTPServer.start(node: b, port: 0)
        #expect(try RawHTTP.fetch(port: empty.localPort, "/debug/store").bodyText == "null\n")
        #expect(try RawHTTP.fetch(port: empty.localPort, "/debug/routing").bodyText.contains("\"peers\": null,\n"))
        await empty.stop()

        _ = try await a.ping(b.localAddress, timeout: .seconds(5))
        let record = try endpointRecordForUDP(keyA)
        #expect(try await a.storeAt(b.localAddress, key: .zero, record: record, timeout: .seconds(10), attempts: 1) == .stored)
        let server = try await DebugHTTPServer.start(node: b, port: 0)
        let port = server.localPort

        let identity = try RawHTTP.fetch(port: port, "/debug/identity")
        expectJSONHeaders(identity)
        #expect(identity.headers["x-content-type-options"] == nil)
        #expect(jsonKeys(identity.bodyText) == ["address", "node_id_hex", "local_addr"])
        let id = try #require(try json(identity) as? [String: Any])
        #expect(id["address"] as? String == b.address.text)
        #expect(id["node_id_hex"] as? String == b.nodeID.bytes.hex)
        #expect(id["local_addr"] as? String == b.localAddress.description)

        let routing = try RawHTTP.fetch(port: port, "/debug/routing")
        expectJSONHeaders(routing)
        #expect(jsonKeys(routing.bodyText) == ["self_node_id_hex", "peers", "total_peers"])
        let rowKeys = jsonKeys(routing.bodyText, depth: 3)
        let referenceRowKeys = ["bucket", "xor_distance_to_self_hex", "address_hex", "node_id_hex", "ip", "port"]
        #expect(rowKeys == referenceRowKeys || rowKeys == referenceRowKeys + ["verified_ago"])
        let table = try #require(try json(routing) as? [String: Any])
        #expect(table["total_peers"] as? Int == 1)
        #expect(table["self_node_id_hex"] as? String == b.nodeID.bytes.hex)
        let peers = try #require(table["peers"] as? [[String: Any]])
        #expect(peers.count == 1)
        #expect(peers.first?["node_id_hex"] as? String == a.nodeID.bytes.hex)
        #expect(peers.first?["address_hex"] as? String == a.address.bytes.hex)
        #expect(peers.first?["ip"] as? String == "127.0.0.1")
        #expect(peers.first?["port"] as? Int == a.localAddress.udp.map { Int($0.port) })
        #expect(peers.first?["xor_distance_to_self_hex"] as? String == b.nodeID.distance(to: a.nodeID).bytes.hex)
        if let ago = peers.first?["verified_ago"] as? String { #expect(ago == "0s" || ago == "1s") }

        let store = try RawHTTP.fetch(port: port, "/debug/store")
        expectJSONHeaders(store)
        #expect(jsonKeys(store.bodyText, depth: 2) == ["key_node_id_hex", "address_hex", "rec_type", "seq", "timestamp",
                                                       "ttl_seconds", "payload_cbor_len"])
        let rows = try #require(try json(store) as? [[String: Any]])
        #expect(rows.count == 1)
        #expect(rows.first?["rec_type"] as? Int == 1)
        #expect(rows.first?["key_node_id_hex"] as? String == a.nodeID.bytes.hex)
        #expect(rows.first?["address_hex"] as? String == a.address.bytes.hex)
        #expect(rows.first?["seq"] as? Int == 1)
        #expect(rows.first?["ttl_seconds"] as? Int == 600)
        #expect(rows.first?["payload_cbor_len"] as? Int == record.payload?.count)

        let stats = try RawHTTP.fetch(port: port, "/debug/stats")
        expectJSONHeaders(stats)
        let counters = try #require(try json(stats) as? [String: Any])
        #expect(counters["total_peers"] as? Int == 1)
        #expect(counters["store_records"] as? Int == 1)
        #expect(counters["store_keys"] as? Int == 1)
        #expect((counters["rx_packets_verified"] as? Int ?? 0) >= 2)
        let keys = jsonKeys(stats.bodyText)
        #expect(keys.first == "rx_packets_verified")
        #expect(keys.suffix(9) == ["unique_nodes_since_start", "dropped_malformed", "dropped_rate_limited",
                                   "dropped_unsolicited", "dropped_unknown_type", "dropped_unexpected_push",
                                   "dropped_invalid_push", "store_keys", "store_records"])

        await server.stop()
        await a.close()
        await b.close()
    }

    @Test func errorsAndKeepAlive() async throws {
        let (node, _) = try await makeNode()
        let server = try await DebugHTTPServer.start(node: node, port: 0)
        let port = server.localPort

        for path in ["/", "/debug", "/debug/stats/", "/debug/STATS", "/nope"] {
            let r = try RawHTTP.fetch(port: port, path)
            #expect(r.statusLine == "HTTP/1.1 404 Not Found")
            #expect(r.bodyText == "404 page not found\n")
            #expect(r.headers["content-type"] == "text/plain; charset=utf-8")
            #expect(r.headers["x-content-type-options"] == "nosniff")
            #expect(r.headers["content-length"] == "19")
        }
        for method in ["POST", "PUT", "DELETE", "HEAD"] {
            let r = try RawHTTP.fetch(port: port, "/debug/stats", method: method)
            #expect(r.statusLine == "HTTP/1.1 405 Method Not Allowed")
            #expect(r.headers["content-type"] == "text/plain; charset=utf-8")
            #expect(r.headers["x-content-type-options"] == "nosniff")
            #expect(r.headers["content-length"] == "19")
            #expect(r.bodyText == (method == "HEAD" ? "" : "method not allowed\n"))
        }
        // The query string is not part of the path.
        #expect(try RawHTTP.fetch(port: port, "/debug/identity?x=1").statusLine == "HTTP/1.1 200 OK")

        // Two pipelined requests on one connection: the first is kept alive.
        let pipelined = try RawHTTP.exchange(port: port, "GET /debug/identity HTTP/1.1\r\nHost: x\r\n\r\n"
            + "GET /debug/stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let both = try RawHTTP.parse(pipelined)
        #expect(both.map(\.statusLine) == ["HTTP/1.1 200 OK", "HTTP/1.1 200 OK"])
        #expect(both.first?.headers["connection"] == nil)
        #expect(jsonKeys(both.last?.bodyText ?? "").first == "rx_packets_verified")

        // An oversize body is refused and the connection closed.
        let big = String(repeating: "x", count: DebugHTTPServer.maxRequestBodyBytes + 1)
        let refused = try RawHTTP.parse(try RawHTTP.exchange(port: port,
            "GET /debug/stats HTTP/1.1\r\nHost: x\r\nContent-Length: \(big.utf8.count)\r\n\r\n\(big)"))
        #expect(refused.map(\.statusLine) == ["HTTP/1.1 413 Payload Too Large"])

        await server.stop()
        await server.stop()  // idempotent
        #expect(throws: RawHTTP.Failure.self) { try RawHTTP.exchange(port: port, "GET / HTTP/1.1\r\n\r\n") }
        await node.close()
    }

    /// `stop()` closes an idle keep-alive connection at once instead of waiting out the grace.
    @Test func stopDrainsKeepAliveConnections() async throws {
        let (node, _) = try await makeNode()
        let server = try await DebugHTTPServer.start(node: node, port: 0)
        let port = server.localPort
        let answered = RawHTTP.Arrival()
        let client = Task.detached {
            try RawHTTP.exchange(port: port, "GET /debug/identity HTTP/1.1\r\nHost: x\r\n\r\n", answered: answered)
        }
        // Wait until the response is in, so the connection is idle rather than mid-request.
        try await waitUntil { answered.happened }
        #expect(server.openConnections == 1)
        let clock = ContinuousClock()
        let started = clock.now
        await server.stop()
        #expect(clock.now - started < .seconds(2))
        let responses = try RawHTTP.parse(try await client.value)
        #expect(responses.map(\.statusLine) == ["HTTP/1.1 200 OK"])
        await node.close()
    }
}
