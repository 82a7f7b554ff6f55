import A2ALTestSupport
import A2ALRPC
import Testing

/// The NAT classification on a real daemon in a 3-daemon network on loopback UDP: reporters
/// agreeing that we are at our own socket's address make the daemon `public` (nat_type event,
/// node.info), and an endpoint publication with `"endpoints": "auto"` and `"nat_type": "auto"`
/// carries that address and class, as another daemon resolves it (docs/jsonrpc.md). Behind
/// real NATs the testbed checks the other classes (docs/testbed.md).
@Suite(.serialized) struct NATEndToEndTests {
    @Test func reportersAtOurOwnAddressMakeUsPublicAndAutoEndpointsFollow() async throws {
        let catalog = try SchemaCatalog.shared()
        let a = try await DaemonProcess.start()
        let aUDP = try #require(try await a.result("node.info")["listen_addrs"]?.arrayValue?.first?.stringValue)
        let before = try await a.result("node.info")
        #expect(before.str("nat_type") == "unknown" && before["nat_type_code"] == 0)
        let listener = try a.connect()
        _ = try await Offload.run { try listener.result("subscribe", ["event": "nat_type"]) }

        // An auto publication made before anything is known carries nothing yet.
        let alice = try await a.result("agent.create", ["label": "alice"]).str("address")
        let early = try await a.result("publish.endpoint", ["agent": .string(alice), "endpoints": "auto", "nat_type": "auto"])
        #expect(early["record"]?["payload"]?["endpoints"]?.arrayValue?.isEmpty == true)
        #expect(early["record"]?["payload"]?["nat_type"] == 0)

        let b = try await DaemonProcess.start(extraArguments: ["--bootstrap", aUDP])
        let c = try await DaemonProcess.start(extraArguments: ["--bootstrap", aUDP])
        let bUDP = try #require(try await b.result("node.info")["listen_addrs"]?.arrayValue?.first?.stringValue)
        let cUDP = try #require(try await c.result("node.info")["listen_addrs"]?.arrayValue?.first?.stringValue)
        // Two PONGs report A at its own socket's address: no NAT.
        try await a.result("node.ping", ["addr": .string(bUDP)])
        try await a.result("node.ping", ["addr": .string(cUDP)])
        var seen: [JSONValue] = []
        let event = try await EventsEndToEndTests.await(listener, &seen) { $0["params"]?["result"]?.str("new") == "public" }
        let result = try #require(event["params"]?["result"])
        #expect(result.str("old") == "unknown" && result["code"] == 1 && result.str("public_addr") == aUDP)
        #expect(try catalog.eventViolations("nat_type", result).isEmpty)

        let info = try await a.result("node.info")
        #expect(info.str("nat_type") == "public" && info["nat_type_code"] == 1)
        #expect(try catalog.resultViolations("node.info", info).isEmpty)

        // The auto publication is republished with the address and class (on its own task, once
        // the verdict is in): B resolves it within a bound.
        let want: JSONValue = .array([.string("udp://\(aUDP)")])
        let deadline = ContinuousClock.now + .seconds(20)
        var resolved: JSONValue = .null
        while ContinuousClock.now < deadline {
            resolved = try await b.result("query.resolve", ["address": .string(alice), "timeout_ms": 5000])
            if resolved["endpoint"]?["endpoints"] == want { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(resolved["endpoint"]?["endpoints"] == want)
        #expect(resolved["endpoint"]?["nat_type"] == 1)
        let again = try await a.result("publish.endpoint", ["agent": .string(alice), "endpoints": "auto", "nat_type": "auto"])
        #expect(again["record"]?["payload"]?["endpoints"] == want)

        // A bad value is still refused, naming the parameter.
        let bad = try await a.call("publish.endpoint", ["agent": .string(alice), "endpoints": "automatic"])
        #expect(bad["error"]?["code"] == -32602)

        listener.close()
        try await c.stop()
        try await b.stop()
        try await a.stop()
    }
}
