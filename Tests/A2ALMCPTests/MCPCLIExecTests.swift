import A2ALTestSupport
import Testing

/// `a2al-cli mcp ...` is `a2al-mcp ...` (docs/mcp.md, docs/cli.md): the CLI execs the server
/// built beside it, arguments and exit status unchanged.
@Suite struct MCPCLIExecTests {
    @Test func cliMcpRunsTheServerWithItsArguments() async throws {
        let version = try await CLIProcess.run(["mcp", "--version"])
        #expect(version.status == 0, "\(version)")
        #expect(version.stdout.hasPrefix("a2al-mcp "), "\(version)")

        let daemon = try await DaemonProcess.start()
        let refused = try await CLIProcess.run(["mcp", "--socket", daemon.socketPath, "--tools", "agent_export"])
        #expect(refused.status == 2, "\(refused)")
        #expect(refused.stderr.contains("agent_export is never offered"), "\(refused)")
        try await daemon.stop()
    }
}
