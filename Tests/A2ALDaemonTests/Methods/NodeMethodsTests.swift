import A2ALCore
import A2ALDHT
import A2ALDaemon
import A2ALProtocol
import A2ALRPC
import Testing

/// The node.* methods against real nodes on the in-memory network. Node 0 serves the methods.
@Suite struct NodeMethodsTests {
    /// An address nobody answers on: requests to it time out.
    static let silent = "10.9.9.9:4000"

    @Test func infoStatsAndRoutingDescribeTheNode() async throws {
        try await withCluster(MethodCluster(size: 3)) { c in
            _ = try await c.call("node.ping", ["addr": .string(c.addr(1))])

            let info = try await c.call("node.info")
            #expect(info["address"]?.stringValue == c.nodes[0].address.text)
            #expect(info["node_id"]?.stringValue == c.nodes[0].nodeID.description)
            #expect(info["version"]?.stringValue == DaemonVersion.string)
            #expect((info["uptime_s"]?.intValue ?? -1) >= 5)
            #expect(info["listen_addrs"] == ["10.0.0.1:4000"] && info["socket"] == "/tmp/a2al-test.sock")
            #expect(info["data_dir"] == "/tmp/a2al-test-data" && info["passive"] == false && info["agents"] == 2)
            #expect(info["routing_table_size"] == 1 && info["good_peers"] == 1 && info["store_keys"] == 0)
            #expect(info["public_addr"] == "10.0.0.1:4000")  // node 1 was the only reporter
            #expect(info.keys.contains("network_size") && info.keys.contains("started_at"))

            let stats = try await c.call("node.stats")
            #expect(stats.keys == ["routing", "store", "transport", "push", "health", "network_size", "rpc"])
            #expect(stats["transport"]?["dropped_unknown_type"] == 0)
            #expect(stats["routing"]?["total_peers"] == 1 && stats["health"]?["good"] == 1)
            #expect(stats["store"]?["max_keys"] == .integer(RecordStore.defaultMaxKeys))
            #expect((stats["transport"]?["tx_packets"]?.intValue ?? 0) >= 1)
            #expect(stats["rpc"] == ["connections": 1, "subscriptions": 3, "watches": 0])
            #expect(stats["push"]?["watched_keys"] == 0)
            #expect(stats["network_size"]?.objectValue?.keys == ["estimate", "filtered_estimate", "confidence"])

            let routing = try await c.call("node.routing")
            let buckets = try #require(routing["buckets"]?.arrayValue)
            #expect(buckets.count == 1)
            let entry = try #require(buckets.first?["nodes"]?.arrayValue?.first)
            #expect(entry["node_id"]?.stringValue == c.nodes[1].nodeID.description)
            #expect(entry["address"]?.stringValue == c.nodes[1].address.text)
            #expect(entry["addr"]?.stringValue == c.addr(1) && entry["health"] == "good")
            let verifiedAt = try #require(entry["verified_at"]?.intValue)
            #expect(abs(verifiedAt - Int64(SystemClock().unixSeconds())) <= 2)
            #expect(buckets.first?["index"] == .integer(c.nodes[0].nodeID.bucketIndex(of: c.nodes[1].nodeID)))

            // Methods without params refuse params.
            expectInvalidParams(await c.failure("node.info", ["verbose": true]), field: "verbose")
        }
    }

    @Test func pingReturnsThePeerAndItsRoundTrip() async throws {
        try await withCluster(MethodCluster(size: 2)) { c in
            let r = try await c.call("node.ping", ["addr": .string(c.addr(1)), "timeout_ms": 3000])
            #expect(r["node"] == ["node_id": .string(c.nodes[1].nodeID.description), "address": .string(c.nodes[1].address.text),
                                  "addr": .string(c.addr(1))])
            #expect((r["rtt_ms"]?.doubleValue ?? -1) >= 0)
        }
    }

    @Test func pingFailures() async throws {
        try await withCluster(MethodCluster(size: 1)) { c in
            // A peer that never answers: timeout, naming the budget.
            let timedOut = await c.failure("node.ping", ["addr": .string(Self.silent), "timeout_ms": 300])
            expectAppError(timedOut, .timeout)
            #expect(timedOut?.data?["timeout_ms"] == 300)
            // Bad params name the field; host names are refused; unknown params too.
            expectInvalidParams(await c.failure("node.ping"), field: "addr")
            let named = await c.failure("node.ping", ["addr": "localhost:4000"])
            expectInvalidParams(named, field: "addr")
            #expect(named?.message.contains("host names are not resolved") == true)
            expectInvalidParams(await c.failure("node.ping", ["addr": "10.0.0.2"]), field: "addr")
            expectInvalidParams(await c.failure("node.ping", ["addr": "10.0.0.2:0"]), field: "addr")
            expectInvalidParams(await c.failure("node.ping", ["addr": 5]), field: "addr")
            expectInvalidParams(await c.failure("node.ping", ["addr": .string(Self.silent), "timout_ms": 5]), field: "timout_ms")
            expectInvalidParams(await c.failure("node.ping", ["addr": .string(Self.silent), "timeout_ms": 0]), field: "timeout_ms")
            // IPv6 literals parse (and time out here: nobody is there).
            expectAppError(await c.failure("node.ping", ["addr": "[2001:db8::1]:4000", "timeout_ms": 100]), .timeout)
        }
    }

    @Test func findNodeAtOnePeer() async throws {
        try await withCluster(MethodCluster(size: 5)) { c in
            try await c.join()
            let target = NodeID.random()
            let r = try await c.call("node.find_node", ["addr": .string(c.addr(1)), "target": .string(target.description)])
            let nodes = try #require(r["nodes"]?.arrayValue)
            // Node 1 knows node 0 and the others; it never returns the requester (node 0).
            #expect(nodes.count >= 2)
            #expect(!nodes.contains { $0["node_id"]?.stringValue == c.nodes[0].nodeID.description })
            #expect(nodes.allSatisfy { $0["addr"]?.stringValue?.hasSuffix(":4000") == true && $0["address"]?.stringValue != nil })

            expectInvalidParams(await c.failure("node.find_node", ["addr": .string(c.addr(1)), "target": "abcd"]), field: "target")
            expectInvalidParams(await c.failure("node.find_node", ["addr": .string(c.addr(1))]), field: "target")
            expectAppError(await c.failure("node.find_node", ["addr": .string(Self.silent), "target": .string(target.description),
                                                              "timeout_ms": 200]), .timeout)
        }
    }

    @Test func findValueAndStoreAtOnePeer() async throws {
        try await withCluster(MethodCluster(size: 2)) { c in
            let rec = try endpointRecord(c.keys[0])
            let key = c.nodes[0].nodeID.description
            let stored = try await c.call("node.store_at", ["addr": .string(c.addr(1)), "key": .string(key), "record": raw(rec)])
            #expect(stored == ["stored": true, "already_had": false])
            #expect(c.nodes[1].localGet(c.nodes[0].nodeID).map(\.record) == [rec])
            // The same record again is a duplicate: the peer holds it, and says so the way a peer
            // not known to read `already_had` accepts (docs/protocol.md, "STORE_RESP").
            let again = try await c.call("node.store_at", ["addr": .string(c.addr(1)), "key": .string(key), "record": raw(rec)])
            #expect(again == ["stored": true, "already_had": false])
            // A record for the wrong key is refused: an answer with its refusal, not an error.
            let wrong = try await c.call("node.store_at", ["addr": .string(c.addr(1)), "key": .string(NodeID.random().description),
                                                           "record": raw(rec)])
            #expect(wrong == ["stored": false, "already_had": false, "refusal": "unexplained"])

            let found = try await c.call("node.find_value", ["addr": .string(c.addr(1)), "key": .string(key)])
            let records = try #require(found["records"]?.arrayValue)
            #expect(records.count == 1 && records.first?["raw"] == raw(rec) && records.first?["key"]?.stringValue == key)
            #expect(records.first?["payload"]?["endpoints"] == ["quic://10.0.0.1:4242"])
            #expect(found["nodes"] == [], "node 1 knows only the asker, whom it never returns")
            let other = try await c.call("node.find_value", ["addr": .string(c.addr(1)), "key": .string(key), "type": 0x10])
            #expect(other["records"] == [])

            expectInvalidParams(await c.failure("node.find_value", ["addr": .string(c.addr(1)), "key": .string(key), "type": 256]),
                                field: "type")
            expectAppError(await c.failure("node.find_value", ["addr": .string(Self.silent), "key": .string(key), "timeout_ms": 200]),
                           .timeout)
        }
    }

    @Test func storeAtRefusesBadRecordsBeforeSending() async throws {
        try await withCluster(MethodCluster(size: 2)) { c in
            let key = c.nodes[0].nodeID.description
            var forged = try endpointRecord(c.keys[0])
            forged.signature[0] ^= 0xff
            let bad = await c.failure("node.store_at", ["addr": .string(c.addr(1)), "key": .string(key), "record": raw(forged)])
            expectAppError(bad, .invalidRecord)
            #expect(bad?.data?["field"] == "record" && bad?.message.contains("signature") == true)
            let expired = try endpointRecord(c.keys[0], now: SystemClock().unixSeconds() - 7200, ttl: 60)
            expectAppError(await c.failure("node.store_at", ["addr": .string(c.addr(1)), "key": .string(key), "record": raw(expired)]),
                           .invalidRecord)
            // Base64 that is not a record at all.
            expectAppError(await c.failure("node.store_at", ["addr": .string(c.addr(1)), "key": .string(key), "record": "AAEC"]),
                           .invalidRecord)
            expectInvalidParams(await c.failure("node.store_at", ["addr": .string(c.addr(1)), "key": .string(key), "record": "not base64!"]),
                                field: "record")
            #expect(c.nodes[1].localGet(c.nodes[0].nodeID).isEmpty)
            expectAppError(await c.failure("node.store_at", ["addr": .string(Self.silent), "key": .string(key),
                                                             "record": raw(try endpointRecord(c.keys[0])), "timeout_ms": 200]), .timeout)
        }
    }

    @Test func natProbeEchoesToAPublicClaimedAddress() async throws {
        // Public (documentation-range) IPs, so the prober agrees to echo.
        try await withCluster(MethodCluster(size: 2, ipBase: 0xcb00_7101)) { c in  // 203.0.113.1
            let ok = try await c.call("node.nat_probe", ["addr": .string(c.addr(1)), "claimed_addr": .string(c.addr(0)),
                                                         "timeout_ms": 3000])
            #expect(ok == ["echoed": true])
            // A claimed address that is not our source is never echoed: false, not an error.
            let no = try await c.call("node.nat_probe", ["addr": .string(c.addr(1)), "claimed_addr": "198.51.100.7:4000",
                                                         "timeout_ms": 300])
            #expect(no == ["echoed": false])
            expectInvalidParams(await c.failure("node.nat_probe", ["addr": .string(c.addr(1))]), field: "claimed_addr")
        }
    }

    @Test func bootstrapJoinsThroughSeeds() async throws {
        try await withCluster(MethodCluster(size: 4)) { c in
            for i in 2..<4 { try await c.nodes[i].bootstrap(addresses: [c.nodes[1].localAddress]) }
            let r = try await c.call("node.bootstrap", ["peers": [.string(c.addr(1))], "timeout_ms": 10000])
            #expect((r["routing_table_size"]?.intValue ?? 0) >= 3)

            let candidates = try await c.call("node.bootstrap_candidates", ["max": 2])
            let addrs = try #require(candidates["addrs"]?.arrayValue)
            #expect(addrs.count == 2 && addrs.allSatisfy { $0.stringValue?.hasPrefix("10.0.0.") == true })
            #expect(try await c.call("node.bootstrap_candidates")["addrs"]?.arrayValue?.count == 3)
            expectInvalidParams(await c.failure("node.bootstrap_candidates", ["max": 0]), field: "max")
        }
    }

    @Test func bootstrapFailures() async throws {
        try await withCluster(MethodCluster(size: 1)) { c in
            expectInvalidParams(await c.failure("node.bootstrap"), field: "peers")
            expectInvalidParams(await c.failure("node.bootstrap", ["peers": []]), field: "peers")
            expectInvalidParams(await c.failure("node.bootstrap", ["peers": ["10.0.0.2:4000", "no-port"]]), field: "peers[1]")
            expectInvalidParams(await c.failure("node.bootstrap", ["peers": [7]]), field: "peers[0]")
            // Names are resolved here; one that does not exist is a bad address.
            let unresolved = await c.failure("node.bootstrap", ["peers": ["seed.a2al-test.invalid:4000"], "timeout_ms": 5000])
            expectAppError(unresolved, .badAddress)
            #expect(unresolved?.data?["failures"]?.arrayValue?.first?["peer"] == "seed.a2al-test.invalid:4000")
            // Seeds that never answer: timeout.
            expectAppError(await c.failure("node.bootstrap", ["peers": .array([.string(Self.silent)]), "timeout_ms": 1000]), .timeout)
        }
    }

    @Test func contactsAndPeerState() async throws {
        try await withCluster(MethodCluster(size: 3)) { c in
            // add_contact: pinned like a user-configured contact, with the given agent address.
            let added = try await c.call("node.add_contact", ["addr": .string(c.addr(2)), "address": .string(c.nodes[2].address.text)])
            #expect(added == ["added": true])
            #expect(c.nodes[0].routingEntries().contains { $0.nodeID == c.nodes[2].nodeID && $0.contact.address == c.nodes[2].address })
            #expect(c.nodes[0].dialAddress(of: c.nodes[2].nodeID)?.description == c.addr(2))
            let badAddress = await c.failure("node.add_contact", ["addr": .string(c.addr(2)), "address": "0xnothex"])
            expectInvalidParams(badAddress, field: "address")
            #expect(badAddress?.message.contains("accepted forms") == true)

            // bind_peer_addr
            let id = NodeID.random()
            #expect(try await c.call("node.bind_peer_addr", ["node_id": .string(id.description), "addr": "10.7.7.7:4100"]) == ["bound": true])
            #expect(c.nodes[0].dialAddress(of: id)?.description == "10.7.7.7:4100")
            expectInvalidParams(await c.failure("node.bind_peer_addr", ["node_id": "xyz", "addr": "10.7.7.7:4100"]), field: "node_id")

            // peer_health and peer_rtt before and after a ping.
            let before = try await c.call("node.peer_health", ["node_id": .string(c.nodes[1].nodeID.description)])
            #expect(before == ["node_id": .string(c.nodes[1].nodeID.description), "health": "unknown", "allow_contact": true,
                               "wire_generation": "legacy"])
            #expect(try await c.call("node.peer_rtt", ["addr": .string(c.addr(1))]) == ["rtt_ms": nil])
            _ = try await c.call("node.ping", ["addr": .string(c.addr(1))])
            #expect(try await c.call("node.peer_health", ["node_id": .string(c.nodes[1].nodeID.description)])["health"] == "good")
            #expect((try await c.call("node.peer_rtt", ["addr": .string(c.addr(1))])["rtt_ms"]?.doubleValue ?? -1) >= 0)
            expectInvalidParams(await c.failure("node.peer_health"), field: "node_id")

            // A silent peer goes bad after failed pings.
            let silentID = NodeID.random()
            _ = try await c.call("node.bind_peer_addr", ["node_id": .string(silentID.description), "addr": .string(Self.silent)])
            for _ in 0..<3 { _ = await c.failure("node.ping", ["addr": .string(Self.silent), "timeout_ms": 50]) }
            #expect(try await c.call("node.peer_health", ["node_id": .string(silentID.description)])["health"] == "bad")

            // observed_addrs: node 1 told us where it saw us.
            let observed = try await c.call("node.observed_addrs")
            #expect(observed["public_addr"] == "10.0.0.1:4000")
            let report = try #require(observed["reports"]?.arrayValue?.first)
            #expect(report["reporter"]?.stringValue == c.nodes[1].nodeID.description && report["observed"] == "10.0.0.1:4000")
        }
    }

    @Test func settings() async throws {
        try await withCluster(MethodCluster(size: 1)) { c in
            #expect(try await c.call("node.set_passive_routing", ["passive": true]) == ["passive": true])
            #expect(c.nodes[0].isPassiveRouting)
            expectInvalidParams(await c.failure("node.set_passive_routing"), field: "passive")
            expectInvalidParams(await c.failure("node.set_passive_routing", ["passive": "yes"]), field: "passive")

            #expect(try await c.call("node.set_max_store_keys", ["max": 5]) == ["max_store_keys": 5])
            #expect(try await c.call("store.len")["max_keys"] == 5)
            #expect(try await c.call("node.set_max_store_keys", ["max": 0]) == ["max_store_keys": .integer(RecordStore.defaultMaxKeys)])
            #expect(try await c.call("node.set_max_store_keys", ["max": -3]) == ["max_store_keys": .integer(RecordStore.defaultMaxKeys)])
            expectInvalidParams(await c.failure("node.set_max_store_keys", ["max": 1.5]), field: "max")

            #expect(try await c.call("node.self_ext_ip") == ["ip": nil])
            #expect(try await c.call("node.set_self_ext_ip", ["ip": "203.0.113.9"]) == ["ip": "203.0.113.9"])
            #expect(c.nodes[0].selfExternalIP == IPAddress(text: "203.0.113.9"))
            #expect(try await c.call("node.self_ext_ip") == ["ip": "203.0.113.9"])
            #expect(try await c.call("node.set_self_ext_ip", ["ip": "::ffff:203.0.113.9"]) == ["ip": "203.0.113.9"])
            #expect(try await c.call("node.set_self_ext_ip", ["ip": nil]) == ["ip": nil])
            #expect(c.nodes[0].selfExternalIP == nil)
            expectInvalidParams(await c.failure("node.set_self_ext_ip"), field: "ip")
            expectInvalidParams(await c.failure("node.set_self_ext_ip", ["ip": "203.0.113.9:4000"]), field: "ip")

            let size = try await c.call("node.network_size")
            #expect(size.keys == ["estimate", "filtered_estimate", "confidence"])
            _ = try await c.call("node.network_size", ["cutoff_s": 60])
            expectInvalidParams(await c.failure("node.network_size", ["cutoff_s": 0]), field: "cutoff_s")
        }
    }
}
