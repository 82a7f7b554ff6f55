import A2ALTestSupport
import A2ALRPC
import Testing

/// Subscriptions on a real daemon in a 3-daemon network on loopback UDP: every event kind
/// arrives, carries what it should, and validates against schema/events.
@Suite(.serialized) struct EventsEndToEndTests {
    /// Reads notifications until `want` returns true for one (others are kept in `seen`).
    static func await(_ client: RPCLineClient, _ seen: inout [JSONValue], timeout: Duration = .seconds(20),
                      _ want: (JSONValue) -> Bool) async throws -> JSONValue {
        if let hit = seen.first(where: want) { return hit }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let n = try await Offload.run { try? client.nextNotification(timeout: .milliseconds(500)) }
            guard let n else { continue }
            seen.append(n)
            if want(n) { return n }
        }
        throw ContractFailure(description: "no matching notification within \(timeout); saw \(seen.count)")
    }

    @Test func observedAddressPeerHealthAndRecordStoredEventsArrive() async throws {
        let catalog = try SchemaCatalog.shared()
        let a = try await DaemonProcess.start()
        let aUDP = try #require(try await a.result("node.info")["listen_addrs"]?.arrayValue?.first?.stringValue)
        let listener = try a.connect()
        var subscriptions: [String: String] = [:]
        for event in ["observed_addr", "public_addr", "peer_health", "record_stored"] {
            let r = try await Offload.run { try listener.result("subscribe", ["event": .string(event)]) }
            subscriptions[r.str("subscription")] = event
        }
        let b = try await DaemonProcess.start(extraArguments: ["--bootstrap", aUDP])
        let c = try await DaemonProcess.start(extraArguments: ["--bootstrap", aUDP])
        let bInfo = try await b.result("node.info"), cInfo = try await c.result("node.info")
        let bUDP = bInfo["listen_addrs"]?.arrayValue?.first?.stringValue ?? ""
        let cUDP = cInfo["listen_addrs"]?.arrayValue?.first?.stringValue ?? ""
        let cID = cInfo.str("node_id")

        // A pings both: each PONG reports A's address as seen (observed_addr); two agreeing
        // reporters make it the public address (public_addr); first answers make both Good.
        try await a.result("node.ping", ["addr": .string(bUDP)])
        try await a.result("node.ping", ["addr": .string(cUDP)])
        var seen: [JSONValue] = []
        func event(_ n: JSONValue) -> String? { n["params"].flatMap { subscriptions[$0.str("subscription")] } }
        let observed = try await Self.await(listener, &seen) { event($0) == "observed_addr" }
        let aPort = aUDP.split(separator: ":").last.map(String.init) ?? "?"
        #expect(observed["params"]?["result"]?.str("observed").hasSuffix(":" + aPort) == true)
        _ = try await Self.await(listener, &seen) { event($0) == "public_addr" }
        _ = try await Self.await(listener, &seen) {
            event($0) == "peer_health" && $0["params"]?["result"]?.str("node_id") == cID && $0["params"]?["result"]?.str("new") == "good"
        }

        // B publishes: the record is stored at A (record_stored). B's start-up bootstrap runs in
        // the background; bootstrapping again through node.bootstrap returns once B knows A, so
        // the publish stores at A at once instead of on a later maintenance pass's refill.
        #expect((try await b.result("node.bootstrap", ["peers": [.string(aUDP)]])["routing_table_size"]?.intValue ?? 0) > 0)
        let bob = try await b.result("agent.create", ["label": "bob"])
        let published = try await b.result("publish.endpoint", ["agent": .string(bob.str("address")),
                                                                "endpoints": ["quic://127.0.0.1:7000"], "timeout_ms": 5000])
        #expect((published["replicas"]?.intValue ?? 0) > 0, "stored nowhere: \(published)")
        let stored = try await Self.await(listener, &seen) {
            event($0) == "record_stored" && $0["params"]?["result"]?.str("publisher") == bob.str("address")
        }
        #expect(stored["params"]?["result"]?.str("type") == "endpoint")

        // C dies; two failed pings make it Bad (peer_health good → bad).
        try await c.kill9()
        for _ in 0..<2 { _ = try await a.call("node.ping", ["addr": .string(cUDP), "timeout_ms": 300]) }
        _ = try await Self.await(listener, &seen) {
            event($0) == "peer_health" && $0["params"]?["result"]?.str("node_id") == cID && $0["params"]?["result"]?.str("new") == "bad"
        }

        // Every notification has the documented envelope and a result valid for its event.
        for n in seen {
            #expect(n["jsonrpc"] == "2.0" && n["method"] == "subscription" && n["id"] == nil)
            let name = try #require(event(n), "notification for an unknown subscription: \(JSONWriter.write(n).text)")
            let violations = try catalog.eventViolations(name, n["params"]?["result"] ?? .null)
            #expect(violations.isEmpty, "\(name): \(violations)")
        }
        listener.close()
        try await b.stop()
        try await a.stop()
    }
}
