import A2ALTestSupport
#if canImport(Glibc)
import Glibc
#endif
import A2ALProtocol
import A2ALRPC
import Foundation
import Testing

/// Issue 14 on a real daemon: u64 values survive jq and JavaScript, every method takes its
/// params by position as well as by name, and mistakes get suggestions (docs/jsonrpc.md,
/// "Framing and protocol" and "Errors").
@Suite(.serialized) struct ApiUsabilityEndToEndTests {
    /// Sends one raw request line and answers the raw reply line, exactly as the daemon wrote it.
    static func rawExchange(_ c: RPCLineClient, _ line: String) async throws -> String {
        try await Offload.run {
            try c.send(line: line)
            guard let reply = try c.readLine(timeout: .seconds(30)) else { throw TestFileError("no reply to \(line)") }
            return reply
        }
    }

    /// Runs `command` through /bin/sh with `input` on its standard input; answers stdout.
    static func shell(_ command: String, input: String) async throws -> String {
        let dir = try DaemonDirectory()
        let inPath = dir.path + "/in", out = dir.path + "/out", err = dir.path + "/err"
        guard FileManager.default.createFile(atPath: inPath, contents: Data(input.utf8)) else { throw TestFileError("cannot write \(inPath)") }
        let child = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "\(command) < '\(inPath)'"],
                                     environment: ["PATH": "/usr/local/bin:/usr/bin:/bin"], stdoutPath: out, stderrPath: err)
        let exited = try await Offload.run { child.waitForExit(timeout: .seconds(60)) }
        if !exited { child.signal(SIGKILL); _ = try await Offload.run { child.waitForExit(timeout: .seconds(10)) } }
        #expect(exited && child.exitStatus == 0, "\(command): \(dir.readLog(err))")
        return dir.readLog(out)
    }

    static var hasJq: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/jq") }
    static var hasNode: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/node") }

    /// A note's seq is Unix nanoseconds (about 1.8e18, far above 2^53): jq and node read the
    /// decimal string the daemon sends and get exactly the seq inside the signed record.
    @Test(.enabled(if: hasJq && hasNode)) func seqAboveTwoToThe53SurvivesJqAndJavaScript() async throws {
        let d = try await DaemonProcess.start()
        let c = try d.connect()
        defer { c.close() }
        let agent = try await Offload.run { try c.result("agent.create", ["label": "seq"]) }
        let address = try #require(agent["address"]?.stringValue)
        let line = try await Self.rawExchange(c, #"{"jsonrpc":"2.0","id":7,"method":"mailbox.send","params":{"from":"\#(address)","to":"\#(address)","text":"hi","timeout_ms":500}}"#)
        let reply = try JSONParser.parse(Array(line.utf8))
        let raw = try #require(reply["result"]?["record"]?["raw"]?.stringValue, "\(line)")
        let held = try SignedRecord(encoded: try #require(Base64Text.decode(raw))).seq
        #expect(held > 1 << 53, "the note's seq \(held) should be above 2^53")
        #expect(reply["result"]?["record"]?["seq"] == .string(String(held)))

        let fromJq = try await Self.shell("jq -r .result.record.seq", input: line)
        #expect(fromJq == "\(held)\n")
        let js = #"let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s).result.record;process.stdout.write(typeof r.seq+" "+r.seq+" "+(BigInt(r.seq)===\#(held)n))})"#
        let fromNode = try await Self.shell("node -e '\(js)'", input: line)
        #expect(fromNode == "string \(held) true")

        // The store's answer for the same record says the same.
        let key = try #require(reply["result"]?["key"]?.stringValue)
        let stored = try await Self.rawExchange(c, #"{"jsonrpc":"2.0","id":8,"method":"store.get_all","params":{"key":"\#(key)"}}"#)
        #expect(try await Self.shell("jq -r '.result.records[0].seq'", input: stored) == "\(held)\n")
        try await d.stop()
    }

    /// Every method that has params is called by name on one daemon and by position on
    /// another, with the same values (each method's schema example), in the same order: both
    /// must end alike. The list comes from schema/openrpc.json, so a new method is covered.
    @Test func everyMethodWithParamsTakesThemByPosition() async throws {
        let doc = try PackageRoot.json("schema/openrpc.json")
        let methods = try #require(doc["methods"]?.arrayValue)
        let named = try await DaemonProcess.start()
        let positional = try await DaemonProcess.start()
        let cn = try named.connect(), cp = try positional.connect()
        defer { cn.close(); cp.close() }
        var tested: [String] = [], succeeded = 0
        for m in methods {
            let name = try #require(m["name"]?.stringValue)
            let order = (m["params"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
            guard !order.isEmpty else { continue }
            var values = JSONObject()
            for p in m["examples"]?.arrayValue?.first?["params"]?.arrayValue ?? [] {
                if let n = p["name"]?.stringValue, let v = p["value"] { values[n] = v }
            }
            // Short waits: what matters is how params are read, not the network.
            if order.contains("timeout_ms") { values["timeout_ms"] = 300 }
            let last = order.lastIndex { values[$0] != nil } ?? -1
            let array: [JSONValue] = order.prefix(last + 1).map { values[$0] ?? .null }
            let sent = values
            let byName = try await Offload.run { try cn.call(name, sent, timeout: .seconds(30)) }
            let byPosition = try await Self.callPositional(cp, name, array)
            tested.append(name)
            let outcome = { (r: JSONValue) -> String in
                if let e = r["error"] { return "error \(e["code"]?.intValue ?? 0) \(e["data"]?["field"]?.stringValue ?? "")" }
                return "ok " + (r["result"]?.objectValue?.keys.sorted().joined(separator: ",") ?? "")
            }
            #expect(outcome(byName) == outcome(byPosition),
                    "\(name): by name \(JSONSchemaValidator.show(byName)) vs by position \(array): \(JSONSchemaValidator.show(byPosition))")
            if byPosition["result"] != nil { succeeded += 1 }
        }
        let withParams = methods.filter { ($0["params"]?.arrayValue ?? []).isEmpty == false }.count
        #expect(tested.count == withParams && withParams > 30)
        #expect(succeeded >= 8, "too few positional calls succeeded (\(succeeded)) to show the mapping works")

        // One position too many names the count.
        let tooMany = try await Self.callPositional(cp, "node.ping", ["127.0.0.1:1", 100, 3])
        #expect(tooMany["error"]?["code"] == -32602 && tooMany["error"]?["data"]?["field"] == "params")
        #expect(tooMany["error"]?["message"]?.stringValue == "invalid params: params: node.ping takes at most 2 parameters (addr, timeout_ms), got 3")
        try await named.stop()
        try await positional.stop()
    }

    static func callPositional(_ c: RPCLineClient, _ method: String, _ params: [JSONValue]) async throws -> JSONValue {
        let line = JSONWriter.write(.object(["jsonrpc": "2.0", "id": 99, "method": .string(method), "params": .array(params)])).text
        return try JSONParser.parse(Array(try await rawExchange(c, line).utf8))
    }

    @Test func mistakesGetSuggestions() async throws {
        let d = try await DaemonProcess.start()
        let c = try d.connect()
        defer { c.close() }
        let typo = try await Offload.run { try c.call("node.pnig", ["addr": "127.0.0.1:1"]) }
        #expect(typo["error"]?["code"] == -32601)
        #expect(typo["error"]?["data"]?["suggestions"]?.arrayValue?.first == "node.ping", "\(JSONSchemaValidator.show(typo))")
        let nothingClose = try await Offload.run { try c.call("zzzz.qqqqqqq") }
        #expect(nothingClose["error"]?["data"]?["suggestions"] == [])
        // The unknown `adr` is reported, not the missing `addr` it was meant to be.
        let adr = try await Offload.run { try c.call("node.ping", ["adr": "127.0.0.1:1"]) }
        #expect(adr["error"]?["code"] == -32602)
        #expect(adr["error"]?["data"]?["field"] == "adr" && adr["error"]?["data"]?["unknown"] == "adr")
        #expect(adr["error"]?["data"]?["did_you_mean"] == "addr", "\(JSONSchemaValidator.show(adr))")
        // u64 params: a string or an integer; anything else names the param.
        let agent = try await Offload.run { try c.result("agent.create") }
        for bad: JSONValue in ["-1", "1.5", "18446744073709551616", 1.5, -2, "abc", true] {
            let r = try await Offload.run { try c.call("mailbox.read", ["agent": agent["address"] ?? .null, "since": bad, "timeout_ms": 300]) }
            #expect(r["error"]?["code"] == -32602 && r["error"]?["data"]?["field"] == "since", "\(bad): \(JSONSchemaValidator.show(r))")
        }
        for good: JSONValue in ["18446744073709551615", 0, "12"] {
            let r = try await Offload.run { try c.call("mailbox.read", ["agent": agent["address"] ?? .null, "since": good, "timeout_ms": 300]) }
            #expect(r["result"]?["messages"] == [], "\(good): \(JSONSchemaValidator.show(r))")
        }
        try await d.stop()
    }
}
