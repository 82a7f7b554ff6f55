import A2ALTestSupport
import A2ALRPC
import Foundation
import Testing

/// Which tools a2al-mcp offers, seen through the official MCP Python client (docs/mcp.md,
/// "Tools"): the curated default set exactly as documented, every method with --all-tools
/// but never a secret-revealing or connection-bound one, and --tools.
@Suite(.serialized) struct MCPToolListTests {
    /// The default set as docs/mcp.md lists it; `mailbox_ack` when the daemon has `mailbox.ack`.
    static let documentedCurated = ["node_info", "agent_create", "agent_list", "publish_endpoint", "publish_topic",
                                    "query_resolve", "query_topic", "mailbox_send", "mailbox_read", "mailbox_ack",
                                    "wait_for_event"]
    /// Never tools (docs/mcp.md, "Secrets" and "Tools").
    static let neverTools = ["agent_export", "subscribe", "unsubscribe", "watch", "unwatch"]

    static func methodNames(_ daemon: DaemonProcess) async throws -> [String] {
        let doc = try await daemon.result("rpc.discover")
        return (doc["methods"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
    }

    static func names(_ tools: [JSONValue]) -> [String] { tools.compactMap { $0["name"]?.stringValue } }

    @Test func defaultToolsAreTheDocumentedCuratedSet() async throws {
        let daemon = try await DaemonProcess.start()
        let methodTools = Set(try await Self.methodNames(daemon).map { $0.replacingOccurrences(of: ".", with: "_") })
        let proxy = try MCPProxy()
        let initialized = try await proxy.open("a", ["--socket", daemon.socketPath])
        #expect(initialized["serverInfo"]?.str("name") == "a2al-mcp")
        let tools = try await proxy.listTools("a")
        let expected = Self.documentedCurated.filter { $0 == "wait_for_event" || methodTools.contains($0) }
        #expect(Set(Self.names(tools)) == Set(expected), "\(Self.names(tools))")
        #expect(Self.names(tools).count == expected.count)
        // The nine methods every daemon of this generation has are all there.
        #expect(expected.count >= 10)
        for tool in tools {
            #expect(tool["description"]?.stringValue?.isEmpty == false, "\(tool.str("name")) has no description")
            #expect(tool["inputSchema"]?.str("type") == "object", "\(tool.str("name"))")
        }
        // The documentation lists each of them.
        let doc = String(decoding: try PackageRoot.read("docs/mcp.md"), as: UTF8.self)
        for name in Self.documentedCurated { #expect(doc.contains("`\(name)`"), "docs/mcp.md does not list \(name)") }
        try await proxy.finish()
        try await daemon.stop()
    }

    @Test func allToolsOffersEveryMethodButNeverSecretsOrConnectionMethods() async throws {
        let daemon = try await DaemonProcess.start()
        let methods = try await Self.methodNames(daemon)
        let proxy = try MCPProxy()
        try await proxy.open("all", ["--socket", daemon.socketPath, "--all-tools"])
        let names = Self.names(try await proxy.listTools("all"))
        #expect(!names.contains("agent_export"))
        for never in Self.neverTools { #expect(!names.contains(never), "\(never) is offered") }
        // Every other method is a tool, named by the documented mapping, plus wait_for_event.
        let expected = methods.map { $0.replacingOccurrences(of: ".", with: "_") }.filter { !Self.neverTools.contains($0) } + ["wait_for_event"]
        #expect(Set(names) == Set(expected), "missing \(Set(expected).subtracting(names)), extra \(Set(names).subtracting(expected))")
        #expect(methods.contains("agent.export"), "the daemon still has agent.export, so its absence above means something")
        let pattern = try Regex("^[a-zA-Z0-9_-]{1,64}$")
        for name in names { #expect(name.wholeMatch(of: pattern) != nil, "\(name) is not a portable tool name") }
        // Asking for it by name does not work either: the call is refused as unknown.
        let export = try await proxy.call("all", "agent_export", ["address": "A034750f98bD59fcFc946Da45aaAbe933bE154a4B5", "confirm": true])
        #expect(export.isError)
        #expect(!export.text.contains("private_key"))
        try await proxy.finish()
        try await daemon.stop()
    }

    @Test func toolsOptionSelectsByToolOrMethodName() async throws {
        let daemon = try await DaemonProcess.start()
        let proxy = try MCPProxy()
        try await proxy.open("some", ["--socket", daemon.socketPath, "--tools", "node.info,agent_list,wait_for_event"])
        #expect(Set(Self.names(try await proxy.listTools("some"))) == ["node_info", "agent_list", "wait_for_event"])
        try await proxy.finish()
        try await daemon.stop()
    }

    /// `--tools agent_export` is a usage error at startup: exit status 2 and a message saying
    /// it is never offered.
    @Test func toolsOptionRefusesSecretAndUnknownNames() async throws {
        let daemon = try await DaemonProcess.start()
        for (name, expected) in [("agent_export", "never offered"), ("no.such_method", "no method or tool named no.such_method")] {
            let run = try await Self.runServer(["--socket", daemon.socketPath, "--tools", name])
            #expect(run.status == 2, "\(run.stderr)")
            #expect(run.stderr.contains(expected), "\(run.stderr)")
        }
        let usage = try await Self.runServer(["--all-tools", "--tools", "node_info"])
        #expect(usage.status == 2 && usage.stderr.contains("cannot be combined"), "\(usage.stderr)")
        try await daemon.stop()
    }

    /// Runs a2al-mcp with stdin from /dev/null (so it ends at once after startup).
    static func runServer(_ arguments: [String]) async throws -> (status: Int32?, stderr: String) {
        let dir = try DaemonDirectory()
        let child = try ChildProcess(executable: try MCPProxy.serverExecutable(), arguments: arguments,
                                     environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("A2AL_") },
                                     stdoutPath: dir.path + "/out", stderrPath: dir.path + "/err")
        let exited = try await Offload.run { child.waitForExit(timeout: .seconds(30)) }
        #expect(exited, "a2al-mcp \(arguments) did not exit")
        return (child.exitStatus, dir.readLog(dir.path + "/err"))
    }
}
