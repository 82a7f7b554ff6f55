import A2ALTestSupport
import A2ALRPC
import Testing

/// Failures as MCP tool results (docs/mcp.md, "Results and errors"): bad arguments come back
/// as `isError` results carrying the daemon's error object, a2al-mcp's own checks name the
/// argument, and a daemon that is not there is an error naming the socket path.
@Suite(.serialized) struct MCPErrorTests {
    @Test func badArgumentsAreCleanErrorResults() async throws {
        let daemon = try await DaemonProcess.start()
        let proxy = try MCPProxy()
        try await proxy.open("a", ["--socket", daemon.socketPath])

        // Wrong type: the daemon's invalid_params, code and data unchanged.
        let wrongType = try await proxy.call("a", "agent_create", ["label": 5])
        #expect(wrongType.isError)
        #expect(wrongType.json["error"]?["code"]?.intValue == -32602, "\(wrongType)")
        #expect(wrongType.json["error"]?["data"]?.str("field") == "label", "\(wrongType)")
        #expect(wrongType.json["error"]?.str("message").contains("label") == true)
        #expect(SchemaCanon.text(try #require(wrongType.structured)) == SchemaCanon.text(wrongType.json))

        // Missing required param.
        let missing = try await proxy.call("a", "query_resolve")
        #expect(missing.isError)
        #expect(missing.json["error"]?["code"]?.intValue == -32602, "\(missing)")
        #expect(missing.json["error"]?["data"]?.str("field") == "address", "\(missing)")

        // Unknown param (typos are not ignored).
        let unknown = try await proxy.call("a", "agent_list", ["lable": "x"])
        #expect(unknown.isError && unknown.text.contains("lable"), "\(unknown)")

        // a2al-mcp's own tool checks its arguments and names them.
        let noEvent = try await proxy.call("a", "wait_for_event", ["timeout_ms": 10])
        #expect(noEvent.isError && noEvent.json["error"]?.str("message").contains("`event` is required") == true, "\(noEvent)")
        let badTimeout = try await proxy.call("a", "wait_for_event", ["event": "peer_health", "timeout_ms": "soon"])
        #expect(badTimeout.isError && badTimeout.text.contains("timeout_ms"), "\(badTimeout)")
        let badEvent = try await proxy.call("a", "wait_for_event", ["event": "no_such_event", "timeout_ms": 10])
        #expect(badEvent.isError && badEvent.json["error"]?["code"]?.intValue == -32602, "\(badEvent)")
        // A wait that sees nothing ends with timed_out, not an error.
        let quiet = try await proxy.call("a", "wait_for_event", ["event": "transport_state", "timeout_ms": 200])
        #expect(!quiet.isError && quiet.json["timed_out"]?.boolValue == true, "\(quiet)")

        let unknownTool = try await proxy.call("a", "no_such_tool")
        #expect(unknownTool.isError && unknownTool.text.contains("no_such_tool"))

        // The session still works after all that.
        #expect(!(try await proxy.call("a", "agent_list")).isError)
        try await proxy.finish()
        try await daemon.stop()
    }

    @Test func aMissingDaemonIsAnErrorNamingTheSocket() async throws {
        let dir = try DaemonDirectory()
        let socket = dir.path + "/absent.sock"
        let proxy = try MCPProxy()
        try await proxy.open("none", ["--socket", socket])
        let listed = try await proxy.listAnswer("none")
        #expect(listed["result"] == nil)
        #expect(listed.str("exception").contains(socket), "\(listed.compactText)")
        let call = try await proxy.call("none", "node_info")
        #expect(call.isError && call.text.contains(socket), "\(call)")
        try await proxy.finish()
    }

    @Test func aDaemonThatStopsMidSessionIsAnErrorNamingTheSocket() async throws {
        let daemon = try await DaemonProcess.start()
        let proxy = try MCPProxy()
        try await proxy.open("a", ["--socket", daemon.socketPath])
        #expect(!(try await proxy.call("a", "node_info")).isError)
        try await daemon.stop()
        // The shared connection breaks; the next call reconnects and finds no daemon.
        let deadline = ContinuousClock.now + .seconds(20)
        var last: MCPToolResult?
        while ContinuousClock.now < deadline {
            let r = try await proxy.call("a", "node_info")
            last = r
            if r.isError && r.text.contains(daemon.socketPath) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let failed = try #require(last)
        #expect(failed.isError && failed.text.contains("cannot connect to \(daemon.socketPath)"), "\(failed)")
        try await proxy.finish()
    }
}
