import A2ALTestSupport
import A2ALRPC
import Testing

/// "Blocking name resolution" (issue "Hostile peers and hostile clients"): getaddrinfo ran on
/// Swift's cooperative pool, so with DNS that never answers, four concurrent host-name
/// bootstraps held every pool thread and an unrelated `node.ping` took 35.9 s.
///
/// The daemon runs here under `ip netns exec` in a namespace with only loopback, whose
/// resolv.conf names 127.0.0.53, where a socket takes the queries and never answers: each
/// lookup waits for the resolver's own timeouts. The ping goes to a port nobody answers, so it must
/// come back with its 500 ms timeout error, promptly, however many lookups hang
/// (docs/architecture.md, "Name resolution").
@Suite(.serialized) struct HungResolverEndToEndTests {
    static let resolvConf = "nameserver 127.0.0.53\noptions timeout:5 attempts:2\n"

    @Test(.timeLimit(.minutes(2))) func hungLookupsDelayNoOtherCallAndTimeOut() async throws {
        _ = try await TestNetworkNamespace.with("dns", resolvConf: Self.resolvConf) { ns in
            let dns = try NamespaceUDPSink(namespace: ns.name, ip4: "127.0.0.53", port: 53)
            defer { withExtendedLifetime(dns) {} }
            let daemon = try await DaemonProcess.start(wrapper: ns.exec)
            let clock = ContinuousClock()
            let started = clock.now
            let bootstraps = (0..<4).map { i in
                Task { () -> (JSONValue?, Duration) in
                    let client = try daemon.connect()
                    defer { client.close() }
                    let r = try await Offload.run {
                        try client.call("node.bootstrap", ["peers": .array([.string("seed-\(i).a2al.test:4121")]), "timeout_ms": 30_000],
                                        timeout: .seconds(60))
                    }
                    return (r["error"], clock.now - started)
                }
            }
            // The four lookups are under way, holding whatever threads they hold, once each
            // name's query has reached the silent server.
            let names = Set((0..<4).map { "seed-\($0).a2al.test" })
            var asked = Set<String>()
            try await waitUntil(seconds: 10) {
                asked = dns.queriedNames(adding: asked)
                return names.isSubset(of: asked)
            }
            let pingStart = clock.now
            let ping = try await daemon.call("node.ping", ["addr": "127.0.0.1:9", "timeout_ms": 500], timeout: .seconds(60))
            let pingTook = clock.now - pingStart
            #expect(ping["error"]?["data"]?["kind"]?.stringValue == "timeout", "\(ping)")
            #expect(pingTook < .seconds(3), "node.ping took \(pingTook) while host names were being resolved")
            print("node.ping answered in \(pingTook) during four hung lookups")

            for b in bootstraps {
                let (error, took) = try await b.value
                #expect(error?["data"]?["kind"]?.stringValue == "timeout", "\(String(describing: error))")
                #expect(took < .seconds(10), "node.bootstrap took \(took)")
                print("node.bootstrap failed after \(took): \(error?["message"]?.stringValue ?? "?")")
            }
            try await daemon.stop()
        }
    }
}
