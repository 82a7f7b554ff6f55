import A2ALMCP
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// a2al-mcp: the daemon's methods as Model Context Protocol tools on stdin/stdout
// (docs/mcp.md). stdout carries the protocol only; diagnostics go to stderr.

/// One line on stderr (written whole with write(2): no stdio buffer shared across threads).
func note(_ message: String) {
    let line = Array("a2al-mcp: \(message)\n".utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

func fail(_ message: String, status: Int32) -> Never {
    note(message)
    exit(status)
}

let options: MCPOptions
do {
    options = try MCPOptions.parse(CommandLine.arguments.dropFirst())
} catch {
    fail("\(error)", status: 2)
}
if options.help {
    print(MCPOptions.usage)
    exit(0)
}
if options.version {
    print("a2al-mcp \(MCPServer.version)")
    exit(0)
}

let bridge = DaemonBridge(socketPath: options.resolvedSocketPath, selection: options.selection)
// Discover now so a wrong --tools fails at once; a daemon that is not up yet is only noted,
// since MCP clients often start servers before the daemon (tools are then discovered later).
do {
    let tools = try await bridge.tools()
    note("\(tools.count) tools from \(bridge.socketPath)")
} catch let e as CatalogError {
    fail(e.description, status: 2)
} catch {
    note("daemon not reachable yet (\(error)); tools will be discovered on first use")
}
do {
    try await MCPServer.run(bridge: bridge)
} catch {
    fail("\(error)", status: 1)
}
