import A2ALTestSupport
import A2ALRPC
import Foundation
import Testing

/// `GET /metrics` of real daemons after real traffic (docs/metrics.md): three daemons join,
/// ping, publish and resolve over UDP; the test makes JSON-RPC calls, some failing, then
/// scrapes and parses the exposition with Python's prometheus_client and compares it with
/// `node.stats` and with the calls it made.
@Suite(.serialized) struct MetricsEndToEndTests {
    static let metricsFlag = ["--metrics", "127.0.0.1:0"]

    @Test(.timeLimit(.minutes(3))) func scrapeAfterRealTrafficAgreesWithNodeStatsAndCalls() async throws {
        let a = try await DaemonProcess.start(extraArguments: Self.metricsFlag)
        let aUDP = try await a.result("node.info").firstListenAddr()
        let b = try await DaemonProcess.start(extraArguments: ["--bootstrap", aUDP] + Self.metricsFlag)
        let c = try await DaemonProcess.start(extraArguments: ["--bootstrap", aUDP])
        let bUDP = try await b.result("node.info").firstListenAddr()
        let cUDP = try await c.result("node.info").firstListenAddr()
        let aMetrics = try await MetricsProbe.address(of: a)
        let bMetrics = try await MetricsProbe.address(of: b)

        // Traffic: pings both ways, a publication at B resolved from A.
        try await a.result("node.ping", ["addr": .string(bUDP)])
        try await a.result("node.ping", ["addr": .string(cUDP)])
        let bob = try await b.result("agent.create", ["label": "bob"])
        try await b.result("publish.endpoint", ["agent": .string(bob.str("address")), "endpoints": ["quic://127.0.0.1:7000"],
                                                "timeout_ms": 5000])
        let resolved = try await a.result("query.resolve", ["address": .string(bob.str("address")), "timeout_ms": 5000])
        #expect(resolved.str("address") == bob.str("address"))
        // A holds Bob's record (it is one of the replicas), so that answer was local; an agent
        // nobody published makes A look it up on the network, and fail.
        let carol = try await c.result("agent.create", ["label": "carol"])
        let missing = try await a.call("query.resolve", ["address": .string(carol.str("address")), "timeout_ms": 5000])
        let missingCode = try #require(missing["error"]?["code"]?.intValue, "resolving an unpublished agent: \(JSONWriter.write(missing).text)")
        // Calls that fail: an unknown method (its name must not become a label) and bad params.
        let unknown = try await a.call("no.such.method.\(UInt32.random(in: 0...UInt32.max))")
        #expect(unknown["error"]?["code"]?.intValue == -32601)
        let bad = try await a.call("node.ping", ["addr": "not an address"])
        let badCode = try #require(bad["error"]?["code"]?.intValue, "node.ping with a bad addr: \(JSONWriter.write(bad).text)")

        // node.stats, then at once the scrape. Background traffic (table refreshes) may slip
        // in between; then take both again, a bounded number of times.
        var stats = JSONValue.null
        var scrape = Scrape(.null)
        for _ in 0..<20 {
            stats = try await a.result("node.stats")
            scrape = Scrape(try await MetricsProbe.run("scrape", aMetrics))
            if Self.steadyValuesAgree(stats, scrape).isEmpty { break }
        }
        #expect(scrape.json["status"]?.intValue == 200)
        #expect(scrape.json["content_type"]?.stringValue == "text/plain; version=0.0.4; charset=utf-8")
        #expect(Self.steadyValuesAgree(stats, scrape).isEmpty, "\(Self.steadyValuesAgree(stats, scrape))")

        // Types as docs/metrics.md lists them; every family there, and nothing undocumented.
        #expect(scrape.type("a2al_dht_packets_received") == "counter")
        #expect(scrape.type("a2al_routing_table_peers") == "gauge")
        #expect(scrape.type("a2al_dht_request_duration_seconds") == "histogram")
        #expect(scrape.type("a2al_jsonrpc_calls") == "counter")
        let doc = String(decoding: try PackageRoot.read("docs/metrics.md"), as: UTF8.self)
        for (family, value) in scrape.families {
            let type = value["type"]?.stringValue ?? "?"
            let shown = type == "counter" ? family + "_total" : family
            #expect(doc.contains("| `\(shown)` | \(type) |"), "docs/metrics.md lacks a row for \(shown) (\(type))")
        }

        // Counters the node keeps: never below what node.stats said just before.
        let transport = try #require(stats["transport"])
        let atLeast: [(String, [String: String], Int64?)] = [
            ("a2al_udp_datagrams_received", [:], transport["datagrams_received"]?.intValue),
            ("a2al_udp_datagrams_sent", [:], transport["datagrams_sent"]?.intValue),
            ("a2al_dht_datagrams_dropped", ["reason": "malformed"], transport["dropped_malformed"]?.intValue),
            ("a2al_dht_datagrams_dropped", ["reason": "unsolicited"], transport["dropped_unsolicited"]?.intValue),
            ("a2al_dht_requests_answered", [:], transport["rpc_completed"]?.intValue),
        ]
        for (family, labels, fromStats) in atLeast {
            let stat = try #require(fromStats, "node.stats lacks the figure behind \(family)")
            let value = try #require(scrape.value(family, labels), "no \(family)\(labels)")
            #expect(value >= Double(stat), "\(family)\(labels) = \(value) < node.stats \(stat)")
        }
        // Per-type packet counters add up to the node's totals.
        #expect(scrape.total("a2al_dht_packets_received") >= Double(transport["rx_packets_verified"]?.intValue ?? .max))
        #expect(scrape.total("a2al_dht_packets_sent") >= Double(transport["tx_packets"]?.intValue ?? .max))
        #expect((scrape.value("a2al_dht_packets_sent", ["type": "PING"]) ?? 0) >= 2)
        #expect((scrape.value("a2al_dht_packets_received", ["type": "PONG"]) ?? 0) >= 2)
        #expect((scrape.value("a2al_routing_table_peers") ?? 0) >= 2)

        // JSON-RPC calls by method and code: the ones made above, the errors with their codes.
        #expect((scrape.value("a2al_jsonrpc_calls", ["method": "node.ping", "code": "ok"]) ?? 0) >= 2)
        #expect((scrape.value("a2al_jsonrpc_calls", ["method": "node.ping", "code": String(badCode)]) ?? 0) >= 1)
        #expect((scrape.value("a2al_jsonrpc_calls", ["method": "unknown", "code": "-32601"]) ?? 0) >= 1)
        #expect((scrape.value("a2al_jsonrpc_calls", ["method": "query.resolve", "code": "ok"]) ?? 0) >= 1)
        #expect((scrape.value("a2al_jsonrpc_calls", ["method": "query.resolve", "code": String(missingCode)]) ?? 0) >= 1)
        let methods = Set(scrape.samples("a2al_jsonrpc_calls", "a2al_jsonrpc_calls_total").compactMap { $0.labels["method"] })
        #expect(!methods.contains { $0.hasPrefix("no.such.method") }, "a client's method name became a label: \(methods)")
        #expect((scrape.value("a2al_rpc_connections") ?? 0) >= 1)

        // Histograms: buckets never decrease, +Inf equals _count, and real observations.
        try Self.checkHistograms(scrape)
        #expect(Self.count(scrape, "a2al_dht_request_duration_seconds", ["type": "PING"]) >= 2)
        #expect(Self.count(scrape, "a2al_dht_lookup_duration_seconds", ["kind": "records"]) >= 1)
        #expect(Self.count(scrape, "a2al_jsonrpc_call_duration_seconds", ["method": "node.ping"]) >= 2)

        // Process figures from /proc.
        #expect((scrape.value("process_resident_memory_bytes") ?? 0) > 1_000_000)
        #expect((scrape.value("process_open_fds") ?? 0) >= 3)
        let started = scrape.value("process_start_time_seconds") ?? 0
        let now = Date().timeIntervalSince1970
        #expect(started > now - 600 && started <= now + 1, "process_start_time_seconds \(started), now \(now)")

        // B published: it keeps a replication set, and its own scrape shows the STOREs it sent.
        let bScrape = Scrape(try await MetricsProbe.run("scrape", bMetrics))
        #expect((bScrape.value("a2al_replication_sets") ?? 0) >= 1)
        #expect((bScrape.value("a2al_dht_packets_sent", ["type": "STORE"]) ?? 0) >= 1)
        #expect(Self.count(bScrape, "a2al_dht_request_duration_seconds", ["type": "STORE"]) >= 1)

        try await c.stop()
        try await b.stop()
        try await a.stop()
    }

    /// Values that only change with traffic or publications: equal in node.stats and a scrape
    /// taken right after it when nothing happened in between. Returns the disagreements.
    static func steadyValuesAgree(_ stats: JSONValue, _ scrape: Scrape) -> [String] {
        let pairs: [(String, [String: String], JSONValue?)] = [
            ("a2al_store_keys", [:], stats["store"]?["keys"]),
            ("a2al_store_bytes", [:], stats["store"]?["bytes"]),
            ("a2al_store_max_keys", [:], stats["store"]?["max_keys"]),
            ("a2al_replication_sets", [:], stats["store"]?["replica_sets"]),
            ("a2al_routing_table_peers", [:], stats["routing"]?["total_peers"]),
            ("a2al_routing_peers_by_health", ["health": "good"], stats["health"]?["good"]),
            ("a2al_routing_peers_by_health", ["health": "bad"], stats["health"]?["bad"]),
            ("a2al_udp_datagrams_received", [:], stats["transport"]?["datagrams_received"]),
            ("a2al_dht_requests_answered", [:], stats["transport"]?["rpc_completed"]),
            ("a2al_dht_datagrams_dropped", ["reason": "rate_limited"], stats["transport"]?["dropped_rate_limited"]),
            ("a2al_rpc_subscriptions", [:], stats["rpc"]?["subscriptions"]),
        ]
        var disagreements: [String] = []
        for (family, labels, stat) in pairs {
            let scraped: Double? = scrape.value(family, labels)
            let expected: Double? = stat?.doubleValue
            if let scraped, let expected, scraped == expected { continue }
            let statText = stat.map { JSONWriter.write($0).text } ?? "none"
            disagreements.append("\(family)\(labels): scrape \(scraped.map { String($0) } ?? "none"), node.stats \(statText)")
        }
        return disagreements
    }

    /// For every histogram series: cumulative buckets in `le` order never decrease and the
    /// `+Inf` bucket equals `_count`.
    static func checkHistograms(_ scrape: Scrape) throws {
        var checked = 0
        for (family, value) in scrape.families where value["type"]?.stringValue == "histogram" {
            let buckets = scrape.samples(family, family + "_bucket")
            let series = Dictionary(grouping: buckets) { $0.labels.filter { $0.key != "le" } }
            for (labels, rows) in series {
                let ordered = rows.compactMap { row in row.labels["le"].flatMap { Double($0 == "+Inf" ? "inf" : $0) }.map { ($0, row.value) } }
                    .sorted { $0.0 < $1.0 }
                #expect(ordered.count == rows.count && ordered.last?.0 == .infinity, "\(family)\(labels): bad le labels")
                #expect(zip(ordered, ordered.dropFirst()).allSatisfy { $0.1 <= $1.1 }, "\(family)\(labels) buckets decrease: \(ordered)")
                let count = scrape.samples(family, family + "_count", labels).first?.value
                #expect(count == ordered.last?.1, "\(family)\(labels): _count \(String(describing: count)) != +Inf bucket")
                checked += 1
            }
        }
        #expect(checked >= 3, "only \(checked) histogram series")
    }

    static func count(_ scrape: Scrape, _ family: String, _ labels: [String: String]) -> Double {
        scrape.samples(family, family + "_count", labels).first?.value ?? 0
    }

    @Test(.timeLimit(.minutes(2))) func listenerRefusesWhatItDoesNotServeAndCannotBeHeld() async throws {
        let a = try await DaemonProcess.start(extraArguments: Self.metricsFlag)
        let address = try await MetricsProbe.address(of: a)
        let r = try await MetricsProbe.run("refusals", address)
        #expect(r["wrong_path"]?.intValue == 404)
        #expect(r["wrong_method"]?.intValue == 405)
        #expect(r["oversized_body"]?.intValue == 413)
        #expect(r["head"] == [200, 0])
        // Headers past the cap: NIO's decoder refuses them (an error status, or the connection closed).
        let headers = r["oversized_headers"]
        #expect(headers == "closed" || (headers?.intValue ?? 0) >= 400, "oversized headers: \(headers.map { JSONWriter.write($0).text } ?? "none")")
        #expect(r["held_not_admitted"] == nil, "connections within the cap were refused: \(JSONWriter.write(r).text)")
        #expect(r["past_cap_answered"] == false, "a connection past the cap was served")
        #expect(r["answered_after_release"] == true)
        let idle = try #require(r["idle_closed_after_s"]?.doubleValue, "an idle connection was never closed")
        #expect(idle >= 5 && idle < 25, "idle connection closed after \(idle) s")
        // The daemon is unharmed: JSON-RPC still answers.
        #expect(try await a.result("node.info")["address"] != nil)
        try await a.stop()
    }

    @Test func bindFailureNamesTheAddress() async throws {
        let a = try await DaemonProcess.start(extraArguments: Self.metricsFlag)
        let taken = try await MetricsProbe.address(of: a)
        do {
            let b = try await DaemonProcess.start(extraArguments: ["--metrics", taken])
            try await b.stop()
            Issue.record("a second daemon started on the metrics address \(taken) already in use")
        } catch {
            #expect("\(error)".contains("metrics listener on \(taken)"), "\(error)")
        }
        try await a.stop()
    }

    @Test func offByDefault() async throws {
        let a = try await DaemonProcess.start()
        #expect(try await a.result("node.info")["address"] != nil)
        #expect(!a.stderr.contains("metrics listening"))
        try await a.stop()
    }
}

extension JSONValue {
    /// The first element of `listen_addrs` (as node.info gives it), for readability above.
    fileprivate func firstListenAddr() throws -> String {
        try #require(self["listen_addrs"]?.arrayValue?.first?.stringValue, "node.info lacks listen_addrs: \(JSONWriter.write(self).text)")
    }
}
