import A2ALClient
import A2ALRPC
import MCP

/// The daemon side of a2al-mcp: learns the tools from `rpc.discover` and carries tool calls
/// to the socket as JSON-RPC requests (docs/mcp.md).
///
/// Ordinary tools share one connection, opened on first use and reopened after it breaks
/// (a daemon restart), so a2al-mcp can start before the daemon. The tool list is learned on
/// the first successful `rpc.discover` and kept: the daemon's API does not change while it
/// runs, and a client that sees tools come and go would be confused.
public actor DaemonBridge {
    public nonisolated let socketPath: String
    public nonisolated let selection: ToolSelection
    private var client: A2ALClient?
    private var offered: [ToolSpec]?

    public init(socketPath: String, selection: ToolSelection) {
        self.socketPath = socketPath
        self.selection = selection
    }

    /// The tools offered; discovers them first when not yet known. Throws when the daemon
    /// cannot be reached or its document does not yield the selected tools.
    public func tools() async throws -> [ToolSpec] {
        if let offered { return offered }
        let document = try await connection().discover()
        let catalog = try ToolCatalog(document: document)
        let selected = try catalog.select(selection)
        // Another call may have finished discovery meanwhile; the first answer stays.
        if let offered { return offered }
        offered = selected
        return selected
    }

    /// Runs the tool `name`; every failure is an `isError` result, never a thrown error, so
    /// the model sees what went wrong.
    public func call(name: String, arguments: [String: Value]?) async -> CallTool.Result {
        let args = ValueBridge.json(.object(arguments ?? [:])).objectValue ?? JSONObject()
        do {
            guard let spec = try await tools().first(where: { $0.name == name }) else {
                throw ToolFailure("unknown tool \(name) (tools/list lists the tools offered)")
            }
            switch spec.action {
            case .method(let method):
                return ToolResults.success(try await forward(method, args))
            case .waitForEvent:
                return ToolResults.success(try await WaitForEvent.run(args, socketPath: socketPath))
            }
        } catch {
            return ToolResults.failure(error)
        }
    }

    private func forward(_ method: String, _ params: JSONObject) async throws -> JSONValue {
        let c = try await connection()
        do {
            return try await c.call(method, params)
        } catch let e as A2ALClientError {
            if case .connectionClosed = e { dropConnection(c) }
            throw e
        }
    }

    private func connection() async throws -> A2ALClient {
        if let client, !client.isClosed { return client }
        let fresh = try await A2ALClient.connect(to: socketPath)
        // A concurrent call may have connected while this one waited; keep one connection.
        if let client, !client.isClosed {
            await fresh.close()
            return client
        }
        client = fresh
        return fresh
    }

    private func dropConnection(_ c: A2ALClient) {
        if client === c { client = nil }
    }
}
