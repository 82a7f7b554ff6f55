import A2ALRPC
import MCP

/// The MCP server: tools/list and tools/call over stdio, answered by a `DaemonBridge`.
public enum MCPServer {
    /// The version a2al-mcp reports in its MCP server info (the package's version, as
    /// `a2ald` reports it).
    public static let version = "0.1.0"

    static let instructions = """
        Tools of an A2AL node (a2ald): create agents, publish where they can be reached and \
        which topics they serve, resolve agents and search topics, send and read encrypted \
        notes, and wait for events. Each tool is a method of the daemon's JSON-RPC API with \
        the same params; results are the daemon's JSON.
        """

    /// Serves until stdin ends.
    public static func run(bridge: DaemonBridge) async throws {
        let server = Server(name: "a2al-mcp", version: version, instructions: instructions,
                            capabilities: .init(tools: .init(listChanged: false)))
        await server.withMethodHandler(ListTools.self) { _ in
            do {
                let specs = try await bridge.tools()
                return .init(tools: specs.map { Tool(name: $0.name, description: $0.description,
                                                     inputSchema: ValueBridge.mcp($0.inputSchema)) })
            } catch {
                // The error names the socket (A2ALClientError.connectFailed) or what in the
                // daemon's document is wrong.
                throw MCPError.internalError("a2al-mcp cannot list the daemon's tools: \(error)")
            }
        }
        await server.withMethodHandler(CallTool.self) { params in
            await bridge.call(name: params.name, arguments: params.arguments)
        }
        try await server.start(transport: StdioTransport())
        await server.waitUntilCompleted()
    }
}
