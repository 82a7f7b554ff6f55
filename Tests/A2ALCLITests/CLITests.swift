import A2ALTestSupport
import A2ALRPC
import Foundation
import Testing

/// The real `a2al-cli` executable against a real `a2ald`: calls, parameter typing, errors
/// and their exit statuses, help. Subscriptions are in CLISubscriptionTests.
@Suite(.serialized) struct CLITests {
    /// `a2al-cli --socket <daemon's socket> args...`
    static func cli(_ daemon: DaemonProcess, _ args: [String], stdin: String? = nil) async throws -> CLIRun {
        try await CLIProcess.run(["--socket", daemon.socketPath] + args, stdin: stdin)
    }

    /// A socket path in an existing directory where nothing listens.
    static func missingSocket() throws -> (DaemonDirectory, String) {
        let dir = try DaemonDirectory()
        return (dir, dir.path + "/nobody.sock")
    }

    // MARK: Methods

    @Test func nodeInfoPrettyAndRaw() async throws {
        let daemon = try await DaemonProcess.start()
        let pretty = try await Self.cli(daemon, ["node.info"])
        #expect(pretty.status == 0, "\(pretty)")
        #expect(pretty.stderr.isEmpty, "\(pretty)")
        #expect(pretty.stdoutLines.count > 5, "pretty output should be indented over many lines: \(pretty)")
        let info = try pretty.json()
        #expect(info["socket"]?.stringValue == daemon.socketPath, "\(pretty)")
        #expect(info["data_dir"]?.stringValue == daemon.dataDir, "\(pretty)")
        #expect(try SchemaCatalog.shared().resultViolations("node.info", info).isEmpty, "\(pretty)")

        let raw = try await Self.cli(daemon, ["node.info", "--raw"])
        #expect(raw.status == 0, "\(raw)")
        #expect(raw.stdoutLines.count == 1, "\(raw)")
        #expect(raw.stdout.hasSuffix("\n") && raw.stdout.filter { $0 == "\n" }.count == 1, "\(raw)")
        let rawInfo = try raw.json()
        #expect(rawInfo["address"] == info["address"], "\(raw)")
        #expect(rawInfo["node_id"] == info["node_id"], "\(raw)")
        #expect(rawInfo["socket"]?.stringValue == daemon.socketPath, "\(raw)")
        try await daemon.stop()
    }

    @Test func socketFromEnvironment() async throws {
        let daemon = try await DaemonProcess.start()
        let run = try await CLIProcess.run(["-r", "node.info"], environment: ["A2AL_SOCKET": daemon.socketPath])
        #expect(run.status == 0, "\(run)")
        #expect(try run.json()["socket"]?.stringValue == daemon.socketPath, "\(run)")
        try await daemon.stop()
    }

    @Test func agentCreateThenListAndStoreLen() async throws {
        let daemon = try await DaemonProcess.start()
        let created = try await Self.cli(daemon, ["--raw", "agent.create", "label=cli-test agent"])
        #expect(created.status == 0, "\(created)")
        let agent = try created.json()
        let address = try #require(agent["address"]?.stringValue, "\(created)")
        #expect(agent["label"]?.stringValue == "cli-test agent", "\(created)")
        #expect(try SchemaCatalog.shared().resultViolations("agent.create", agent).isEmpty, "\(created)")

        let listed = try await Self.cli(daemon, ["agent.list"])
        #expect(listed.status == 0, "\(listed)")
        let agents = try #require(try listed.json()["agents"]?.arrayValue, "\(listed)")
        #expect(agents.count == 1, "\(listed)")
        #expect(agents.contains { $0["address"]?.stringValue == address && $0["label"]?.stringValue == "cli-test agent" }, "\(listed)")

        let len = try await Self.cli(daemon, ["store.len"])
        #expect(len.status == 0, "\(len)")
        let sizes = try len.json()
        #expect(try SchemaCatalog.shared().resultViolations("store.len", sizes).isEmpty, "\(len)")
        #expect(sizes["keys"]?.intValue == 0, "\(len)")
        #expect(sizes["records"]?.intValue == 0, "\(len)")
        let direct = try await daemon.result("store.len")
        #expect(sizes["max_keys"] == direct["max_keys"], "\(len) vs \(direct)")
        try await daemon.stop()
    }

    // MARK: Parameter typing

    @Test func keyValueIsTypedByTheSchema() async throws {
        let daemon = try await DaemonProcess.start()
        // topic is a string in the schema, timeout_ms an integer: 42 stays text, 300 a number.
        let run = try await Self.cli(daemon, ["query.topic", "topic=42", "timeout_ms=300", "--raw"])
        #expect(run.status == 0, "\(run)")
        let result = try run.json()
        #expect(result["topic"] == .string("42"), "\(run)")
        #expect(try SchemaCatalog.shared().resultViolations("query.topic", result).isEmpty, "\(run)")

        // The same number forced to a string is rejected, so the run above sent a number.
        let asString = try await Self.cli(daemon, ["query.topic", "topic=42", "timeout_ms:=\"300\""])
        #expect(asString.status == 3, "\(asString)")
        #expect(asString.stderr.contains("timeout_ms"), "\(asString)")

        // A string-only parameter keeps JSON-looking text as text.
        let label = try await Self.cli(daemon, ["-r", "agent.create", "label=true"])
        #expect(label.status == 0, "\(label)")
        #expect(try label.json()["label"] == .string("true"), "\(label)")
        try await daemon.stop()
    }

    @Test func colonEqualsIsAlwaysJSON() async throws {
        let daemon = try await DaemonProcess.start()
        let run = try await Self.cli(daemon, ["-r", "query.topic", "topic:=\"two words\"", "timeout_ms:=250"])
        #expect(run.status == 0, "\(run)")
        #expect(try run.json()["topic"] == .string("two words"), "\(run)")

        // label:=42 sends the number 42, which agent.create rejects (label is a string).
        let number = try await Self.cli(daemon, ["agent.create", "label:=42"])
        #expect(number.status == 3, "\(number)")
        #expect(number.stderr.contains("label"), "\(number)")
        #expect(try await daemon.result("agent.list")["agents"]?.arrayValue?.isEmpty == true)
        try await daemon.stop()
    }

    @Test func wholeObjectWordAndAdditions() async throws {
        let daemon = try await DaemonProcess.start()
        let run = try await Self.cli(daemon, ["--raw", "query.topic", #"{"topic":"from-object","timeout_ms":300}"#])
        #expect(run.status == 0, "\(run)")
        #expect(try run.json()["topic"] == .string("from-object"), "\(run)")

        let mixed = try await Self.cli(daemon, ["--raw", "query.topic", #"{"timeout_ms":300}"#, "topic=7"])
        #expect(mixed.status == 0, "\(mixed)")
        #expect(try mixed.json()["topic"] == .string("7"), "\(mixed)")

        let twice = try await Self.cli(daemon, ["query.topic", #"{"topic":"a"}"#, "topic=b"])
        #expect(twice.status == 2, "\(twice)")
        #expect(twice.stderr.contains("topic is given twice"), "\(twice)")
        try await daemon.stop()
    }

    @Test func paramsFromStandardInput() async throws {
        let daemon = try await DaemonProcess.start()
        let run = try await Self.cli(daemon, ["--raw", "query.topic", "-"], stdin: #"{"topic":"from-stdin","timeout_ms":300}"# + "\n")
        #expect(run.status == 0, "\(run)")
        #expect(try run.json()["topic"] == .string("from-stdin"), "\(run)")

        let created = try await Self.cli(daemon, ["--raw", "agent.create", "-"], stdin: #"{"label":"piped"}"#)
        #expect(created.status == 0, "\(created)")
        #expect(try created.json()["label"] == .string("piped"), "\(created)")

        let notObject = try await Self.cli(daemon, ["node.info", "-"], stdin: "[1, 2]")
        #expect(notObject.status == 2, "\(notObject)")
        #expect(notObject.stderr.contains("must be a JSON object"), "\(notObject)")

        let empty = try await Self.cli(daemon, ["node.info", "-"], stdin: "")
        #expect(empty.status == 2, "\(empty)")
        #expect(empty.stderr.contains("not JSON"), "\(empty)")
        try await daemon.stop()
    }

    // MARK: Errors

    @Test func invalidParamsExit3AndNameTheField() async throws {
        let daemon = try await DaemonProcess.start()
        let wrongType = try await Self.cli(daemon, ["query.topic", "topic=x", "timeout_ms=soon"])
        #expect(wrongType.status == 3, "\(wrongType)")
        #expect(wrongType.stdout.isEmpty, "\(wrongType)")
        #expect(wrongType.stderr.contains("a2al-cli: query.topic: [-32602]"), "\(wrongType)")
        #expect(wrongType.stderr.contains(#""field":"timeout_ms""#), "\(wrongType)")

        let missing = try await Self.cli(daemon, ["query.topic", "timeout_ms=300"])
        #expect(missing.status == 3, "\(missing)")
        #expect(missing.stderr.contains(#""field":"topic""#), "\(missing)")

        let extra = try await Self.cli(daemon, ["node.info", "verbose=true"])
        #expect(extra.status == 3, "\(extra)")
        #expect(extra.stderr.contains("verbose"), "\(extra)")
        try await daemon.stop()
    }

    @Test func rawErrorIsTheErrorObjectOnStderr() async throws {
        let daemon = try await DaemonProcess.start()
        let run = try await Self.cli(daemon, ["--raw", "query.topic", "topic=x", "timeout_ms=soon"])
        #expect(run.status == 3, "\(run)")
        #expect(run.stdout.isEmpty, "\(run)")
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(run)")
        let error = try JSONParser.parse(String(lines.first ?? ""))
        #expect(error["code"]?.intValue == -32602, "\(run)")
        #expect(error["message"]?.stringValue?.isEmpty == false, "\(run)")
        #expect(error["data"]?["field"] == .string("timeout_ms"), "\(run)")

        let unknown = try await Self.cli(daemon, ["-r", "no.such.method"])
        #expect(unknown.status == 2, "\(unknown)")
        #expect(try JSONParser.parse(unknown.stderr)["code"]?.intValue == -32601, "\(unknown)")
        try await daemon.stop()
    }

    @Test func unknownMethodExits2() async throws {
        let daemon = try await DaemonProcess.start()
        let run = try await Self.cli(daemon, ["no.such.method", "x=1"])
        #expect(run.status == 2, "\(run)")
        #expect(run.stdout.isEmpty, "\(run)")
        #expect(run.stderr.contains("a2al-cli: no.such.method: [-32601]"), "\(run)")
        #expect(run.stderr.contains("a2al-cli --help lists the methods"), "\(run)")

        let help = try await Self.cli(daemon, ["no.such.method", "--help"])
        #expect(help.status == 2, "\(help)")
        #expect(help.stderr.contains("the daemon has no method no.such.method"), "\(help)")
        try await daemon.stop()
    }

    @Test func notFoundExits4() async throws {
        let daemon = try await DaemonProcess.start()
        // The node's own address parses as an address but is no agent the daemon holds.
        let nodeAddress = try #require(try await daemon.result("node.info")["address"]?.stringValue)
        let export = try await Self.cli(daemon, ["agent.export", "address=\(nodeAddress)", "confirm=true"])
        #expect(export.status == 4, "\(export)")
        #expect(export.stdout.isEmpty, "\(export)")
        #expect(export.stderr.contains("a2al-cli: agent.export: [-32001]"), "\(export)")
        #expect(export.stderr.contains(nodeAddress), "\(export)")

        let withdraw = try await Self.cli(daemon, ["publish.withdraw", "publication=deadbeefdeadbeef"])
        #expect(withdraw.status == 4, "\(withdraw)")
        #expect(withdraw.stderr.contains("[-32001]"), "\(withdraw)")

        // And the same export succeeds for an agent the daemon does hold (confirm=true typed
        // as the boolean the schema wants).
        let agent = try #require(try await daemon.result("agent.create")["address"]?.stringValue)
        let held = try await Self.cli(daemon, ["-r", "agent.export", "address=\(agent)", "confirm=true"])
        #expect(held.status == 0, "\(held)")
        #expect(try held.json()["address"]?.stringValue == agent, "\(held)")
        try await daemon.stop()
    }

    @Test func missingSocketExits7NamingThePath() async throws {
        let (dir, socket) = try Self.missingSocket()
        let run = try await CLIProcess.run(["--socket", socket, "node.info"])
        #expect(run.status == 7, "\(run)")
        #expect(run.stdout.isEmpty, "\(run)")
        #expect(run.stderr.contains("cannot connect to \(socket)"), "\(run)")
        _ = dir
    }

    /// Lines a fake daemon received, from its connection threads.
    final class ReceivedLines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func append(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
    }

    @Test func localTimeoutWithSilentDaemonExits5() async throws {
        // A "daemon" that reads requests and never answers: only --timeout ends the call.
        let received = ReceivedLines()
        let server = try UnixLineTestServer { conn in
            while let line = conn.readLine() { received.append(line) }
        }
        let started = ContinuousClock.now
        let run = try await CLIProcess.run(["--socket", server.path, "--timeout", "0.5", "node.info"])
        let elapsed = ContinuousClock.now - started
        #expect(run.status == 5, "\(run)")
        #expect(run.stdout.isEmpty, "\(run)")
        #expect(run.stderr.contains("a2al-cli: node.info: node.info: no reply within"), "\(run)")
        #expect(elapsed >= .milliseconds(450) && elapsed < .seconds(15), "\(elapsed)")
        let request = try JSONParser.parse(try #require(received.all.first, "the CLI sent nothing"))
        #expect(request["method"] == .string("node.info"), "\(received.all)")
        #expect(request["jsonrpc"] == .string("2.0"), "\(received.all)")
        server.stop()
    }

    @Test func unusableReplyExits1() async throws {
        // A "daemon" that answers every request with a line that is not JSON-RPC.
        let server = try UnixLineTestServer { conn in
            while conn.readLine() != nil { conn.write("this is not json\n") }
        }
        let run = try await CLIProcess.run(["--socket", server.path, "--timeout", "10", "node.info"])
        #expect(run.status == 1, "\(run)")
        #expect(run.stdout.isEmpty, "\(run)")
        #expect(run.stderr.hasPrefix("a2al-cli: node.info: "), "\(run)")
        server.stop()
    }

    @Test(arguments: [
        (["node.info", "bogus"], "'bogus': parameters are key=value"),
        (["--bogus", "node.info"], "unknown option --bogus"),
        (["node.info", "--socket"], "--socket needs a value"),
        (["subscribe", "event=peer_health", "--count", "0"], "--count wants a whole number > 0"),
        (["node.info", "--timeout", "-1"], "--timeout wants seconds > 0"),
        (["node.info", "--timeout", "1e300"], "--timeout wants seconds > 0"),
        (["--raw=no", "node.info"], "--raw takes no value"),
        (["agent.create", "label:=not json"], "label:= wants JSON"),
        (["query.topic", "{broken"], "is not a JSON object"),
        (["agent.create", "=x"], "has no parameter name"),
    ])
    func badCommandLineExits2WithoutTheDaemon(args: [String], message: String) async throws {
        // Nothing listens on the socket: a CLI that tried to connect would exit 7.
        let (dir, socket) = try Self.missingSocket()
        let run = try await CLIProcess.run(["--socket", socket] + args)
        #expect(run.status == 2, "\(run)")
        #expect(run.signal == nil, "\(run)")
        #expect(run.stdout.isEmpty, "\(run)")
        #expect(run.stderr.hasPrefix("a2al-cli: "), "\(run)")
        #expect(run.stderr.contains(message), "\(run)")
        #expect(!run.stderr.contains("cannot connect"), "\(run)")
        _ = dir
    }

    /// A --timeout whose milliseconds overflow Int64 used to crash the CLI (SIGILL) once it
    /// had connected; now it is a usage error, and the largest accepted value works.
    @Test func hugeTimeoutIsAUsageErrorNotACrash() async throws {
        let daemon = try await DaemonProcess.start()
        let huge = try await Self.cli(daemon, ["--timeout", "1e300", "node.info"])
        #expect(huge.signal == nil, "\(huge)")
        #expect(huge.status == 2, "\(huge)")
        #expect(huge.stderr.contains("--timeout wants seconds > 0 and at most 1000000000"), "\(huge)")

        let largest = try await Self.cli(daemon, ["--timeout", "1000000000", "-r", "node.info"])
        #expect(largest.status == 0, "\(largest)")
        #expect(try largest.json()["socket"]?.stringValue == daemon.socketPath, "\(largest)")
        try await daemon.stop()
    }

    @Test func subscribeWantsExactlyAnEvent() async throws {
        let daemon = try await DaemonProcess.start()
        let extra = try await Self.cli(daemon, ["subscribe", "event=peer_health", "limit=1"])
        #expect(extra.status == 2, "\(extra)")
        #expect(extra.stderr.contains("subscribe takes exactly event=NAME"), "\(extra)")

        let unknown = try await Self.cli(daemon, ["subscribe", "event=no_such_event"])
        #expect(unknown.status == 3, "\(unknown)")
        #expect(unknown.stderr.contains("event"), "\(unknown)")
        try await daemon.stop()
    }

    // MARK: Help

    @Test func helpListsEveryMethodAndEvent() async throws {
        let daemon = try await DaemonProcess.start()
        let run = try await Self.cli(daemon, ["--help"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("methods (from rpc.discover at \(daemon.socketPath))"), "\(run)")
        let lines = run.stdoutLines
        let catalog = try SchemaCatalog.shared()
        #expect(catalog.methods.count > 40)
        for name in catalog.methods.keys.sorted() {
            #expect(lines.contains { $0.hasPrefix("  \(name) ") }, "--help does not list method \(name)")
        }
        #expect(!catalog.events.isEmpty)
        for name in catalog.events.keys.sorted() {
            #expect(lines.contains { $0.hasPrefix("  \(name) ") }, "--help does not list event \(name)")
        }
        for code in 0...8 {
            #expect(lines.contains { $0.hasPrefix("  \(code)  ") }, "--help does not explain exit status \(code)")
        }
        try await daemon.stop()
    }

    @Test func methodHelpShowsItsParams() async throws {
        let daemon = try await DaemonProcess.start()
        let run = try await Self.cli(daemon, ["publish.endpoint", "--help"])
        #expect(run.status == 0, "\(run)")
        let lines = run.stdoutLines
        #expect(lines.first?.hasPrefix("publish.endpoint — ") == true, "\(run)")
        let schema = try SchemaCatalog.shared().methodSchema("publish.endpoint", "params")
        let properties = try #require(schema["properties"]?.objectValue)
        let required = Set(schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        #expect(required == ["agent", "endpoints"])
        for (name, _) in properties {
            let line = lines.first { $0.hasPrefix("  \(name) (") }
            #expect(line != nil, "publish.endpoint --help does not show param \(name): \(run)")
            #expect(line?.contains(", required)") == required.contains(name), "\(name): \(line ?? "-")")
        }
        #expect(lines.contains { $0.hasPrefix("  nat_type (") && $0.contains("[default 0]") }, "\(run)")
        // An array of URLs or "auto" (docs/jsonrpc.md, publish.endpoint).
        #expect(lines.contains { $0.hasPrefix("  endpoints (array | string") }, "\(run)")
        #expect(lines.contains { $0.hasPrefix("  -32001  ") }, "\(run)")

        let none = try await Self.cli(daemon, ["node.info", "-h"])
        #expect(none.status == 0, "\(none)")
        #expect(none.stdout.contains("params: none"), "\(none)")
        try await daemon.stop()
    }

    @Test func helpWithoutDaemonStillExits0() async throws {
        let (dir, socket) = try Self.missingSocket()
        let run = try await CLIProcess.run(["--socket", socket, "--help"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("usage: a2al-cli"), "\(run)")
        #expect(run.stdout.contains("the daemon at \(socket) did not answer"), "\(run)")
        #expect(!run.stdout.contains("methods (from rpc.discover"), "\(run)")

        // Without --help and without a method the same text is a usage error on stderr.
        let bare = try await CLIProcess.run(["--socket", socket])
        #expect(bare.status == 2, "\(bare)")
        #expect(bare.stdout.isEmpty, "\(bare)")
        #expect(bare.stderr.contains("usage: a2al-cli"), "\(bare)")
        _ = dir
    }
}
