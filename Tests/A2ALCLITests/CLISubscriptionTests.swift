import A2ALTestSupport
import A2ALRPC
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `a2al-cli subscribe` against a real daemon: events as they arrive, `--count`, `--timeout`,
/// SIGINT, and the daemon going away.
@Suite(.serialized) struct CLISubscriptionTests {
    static func args(_ daemon: DaemonProcess, _ rest: [String]) -> [String] { ["--socket", daemon.socketPath] + rest }

    /// The daemon's count of live subscriptions (`node.stats` → rpc.subscriptions).
    static func liveSubscriptions(_ daemon: DaemonProcess) async throws -> Int64 {
        let stats = try await daemon.result("node.stats")
        guard let n = stats["rpc"]?["subscriptions"]?.intValue else {
            throw TestFileError("node.stats has no rpc.subscriptions: \(stats.compactText)")
        }
        return n
    }

    /// Polls `node.stats` until the daemon counts `expected` live subscriptions; throws when
    /// the deadline passes or the subscribing CLI (if given) exits first.
    static func waitForSubscriptions(_ daemon: DaemonProcess, _ expected: Int64, cli: CLIProcess? = nil,
                                     timeout: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            let n = try await liveSubscriptions(daemon)
            if n == expected { return }
            if let cli, !cli.isRunning {
                throw TestFileError("a2al-cli \(cli.arguments.joined(separator: " ")) exited before subscribing; stderr:\n\(cli.stderr)")
            }
            if ContinuousClock.now >= deadline {
                throw TestFileError("the daemon counts \(n) subscriptions, not \(expected), after \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func recordStoredEventArrivesAndCountEndsTheStream() async throws {
        let daemon = try await DaemonProcess.start()
        #expect(try await Self.liveSubscriptions(daemon) == 0)
        let subscriber = try CLIProcess.start(Self.args(daemon, ["subscribe", "event=record_stored", "--count", "1", "--raw"]))
        try await Self.waitForSubscriptions(daemon, 1, cli: subscriber)

        let created = try await CLIProcess.run(Self.args(daemon, ["--raw", "agent.create", "label=publisher"]))
        #expect(created.status == 0, "\(created)")
        let address = try #require(try created.json()["address"]?.stringValue, "\(created)")
        // agent.create stores no record, so the subscriber is still waiting.
        #expect(subscriber.isRunning, "subscriber ended early: \(subscriber.stdout) \(subscriber.stderr)")

        let published = try await CLIProcess.run(Self.args(daemon, [
            "--raw", "publish.endpoint", "agent=\(address)", #"endpoints:=["tcp://127.0.0.1:9"]"#, "timeout_ms=500",
        ]))
        #expect(published.status == 0, "\(published)")
        let publication = try published.json()
        let key = try #require(publication["key"]?.stringValue, "\(published)")

        let run = try await subscriber.wait(timeout: .seconds(30))
        #expect(run.status == 0, "\(run)")
        #expect(run.stdoutLines.count == 1, "\(run)")
        let event = try run.json()
        let violations = try SchemaCatalog.shared().eventViolations("record_stored", event)
        #expect(violations.isEmpty, "\(violations) in \(run)")
        #expect(event["publisher"]?.stringValue == address, "\(run)")
        #expect(event["type"]?.stringValue == "endpoint", "\(run)")
        #expect(event["type_code"]?.intValue == 1, "\(run)")
        #expect(event["key"]?.stringValue == key, "\(run)")
        #expect(event["seq"] == publication["record"]?["seq"], "\(run) vs \(published)")

        // The subscriber unsubscribed (or closed) on its way out, and the record is stored.
        try await Self.waitForSubscriptions(daemon, 0)
        let len = try await CLIProcess.run(Self.args(daemon, ["-r", "store.len"]))
        #expect(len.status == 0, "\(len)")
        #expect((try len.json()["records"]?.intValue ?? 0) >= 1, "\(len)")
        try await daemon.stop()
    }

    @Test func prettyEventsOnePerObject() async throws {
        let daemon = try await DaemonProcess.start()
        let subscriber = try CLIProcess.start(Self.args(daemon, ["subscribe", "event=record_stored", "-n", "2"]))
        try await Self.waitForSubscriptions(daemon, 1, cli: subscriber)
        var addresses: [String] = []
        for label in ["one", "two"] {
            let agent = try await daemon.result("agent.create", ["label": .string(label)])
            let address = try #require(agent["address"]?.stringValue)
            addresses.append(address)
            try await daemon.result("publish.endpoint", ["agent": .string(address), "endpoints": ["tcp://127.0.0.1:9"],
                                                         "timeout_ms": 300])
        }
        let run = try await subscriber.wait(timeout: .seconds(30))
        #expect(run.status == 0, "\(run)")
        // Two indented objects, each starting with a line "{" and ending with a line "}".
        #expect(run.stdoutLines.filter { $0 == "{" }.count == 2, "\(run)")
        #expect(run.stdoutLines.filter { $0 == "}" }.count == 2, "\(run)")
        let objects = run.stdout.components(separatedBy: "}\n{").count
        #expect(objects == 2, "\(run)")
        let publishers = run.stdoutLines.filter { $0.contains("\"publisher\"") }
        #expect(publishers.count == 2, "\(run)")
        for address in addresses {
            #expect(publishers.contains { $0.contains(address) }, "no event from \(address): \(run)")
        }
        try await daemon.stop()
    }

    @Test func countNotReachedBeforeTimeoutExits5() async throws {
        let daemon = try await DaemonProcess.start()
        let started = ContinuousClock.now
        // No peers, so no peer_health event can come.
        let run = try await CLIProcess.run(Self.args(daemon, ["subscribe", "event=peer_health", "--timeout", "1", "--count", "1"]))
        let elapsed = ContinuousClock.now - started
        #expect(run.status == 5, "\(run)")
        #expect(run.stdout.isEmpty, "\(run)")
        #expect(run.stderr.contains("a2al-cli: subscribe: fewer than 1 peer_health events within 1 s"), "\(run)")
        #expect(elapsed >= .milliseconds(900), "exited after \(elapsed), before the 1 s --timeout")
        #expect(elapsed < .seconds(15), "took \(elapsed) for a 1 s --timeout")

        // Without --count the deadline is the planned end: exit 0.
        let planned = try await CLIProcess.run(Self.args(daemon, ["subscribe", "event=peer_health", "--timeout", "0.3"]))
        #expect(planned.status == 0, "\(planned)")
        #expect(planned.stderr.isEmpty, "\(planned)")
        try await daemon.stop()
    }

    @Test func sigintEndsTheStreamWithStatus0() async throws {
        let daemon = try await DaemonProcess.start()
        let subscriber = try CLIProcess.start(Self.args(daemon, ["subscribe", "event=peer_health"]))
        try await Self.waitForSubscriptions(daemon, 1, cli: subscriber)
        let sent = ContinuousClock.now
        subscriber.signal(SIGINT)
        let run = try await subscriber.wait(timeout: .seconds(10))
        let elapsed = ContinuousClock.now - sent
        #expect(run.signal == nil, "SIGINT killed the CLI instead of ending the stream: \(run)")
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.isEmpty, "\(run)")
        #expect(elapsed < .seconds(3), "took \(elapsed) to exit after SIGINT")
        // The daemon no longer has the subscription.
        try await Self.waitForSubscriptions(daemon, 0)
        try await daemon.stop()
    }

    @Test func daemonStoppingWhileStreamingExits7() async throws {
        let daemon = try await DaemonProcess.start()
        let subscriber = try CLIProcess.start(Self.args(daemon, ["subscribe", "event=record_stored"]))
        try await Self.waitForSubscriptions(daemon, 1, cli: subscriber)
        #expect(subscriber.isRunning)
        let status = try await daemon.stop()
        #expect(status == 0, "a2ald \(daemon.exitDescription)")
        let run = try await subscriber.wait(timeout: .seconds(20))
        #expect(run.status == 7, "\(run)")
        #expect(run.stdout.isEmpty, "\(run)")
        #expect(run.stderr.hasPrefix("a2al-cli: subscribe: "), "\(run)")
    }
}
