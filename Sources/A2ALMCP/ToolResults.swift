import A2ALClient
import A2ALRPC
import MCP

/// How daemon answers become MCP tool results (docs/mcp.md, "Results and errors"): the
/// result as compact JSON text, and as `structuredContent` when it is an object (MCP wants an
/// object there); failures as `isError` results whose JSON says what went wrong.
enum ToolResults {
    static func success(_ result: JSONValue) -> CallTool.Result {
        // Typed so the non-generic initialiser is chosen (the generic one encodes and throws).
        let structured: Value? = result.objectValue != nil ? ValueBridge.mcp(result) : nil
        return CallTool.Result(content: [.text(text: result.compactText, annotations: nil, _meta: nil)],
                               structuredContent: structured, isError: false)
    }

    /// `{"error": {"code", "message", "data"}}`: the daemon's error object unchanged for
    /// JSON-RPC errors; just a message for failures on this side (socket, deadline).
    static func failure(_ error: any Error) -> CallTool.Result {
        var object = JSONObject()
        switch error {
        case let e as A2ALClientError:
            if let rpc = e.rpcError {
                object["code"] = .int(Int64(rpc.code))
                object["message"] = .string(rpc.message)
                if let data = rpc.data { object["data"] = data }
            } else {
                object["message"] = .string(e.description)
            }
        case let e as ToolFailure:
            object["message"] = .string(e.description)
        case let e as CatalogError:
            object["message"] = .string(e.description)
        case is CancellationError:
            object["message"] = "cancelled"
        default:
            object["message"] = .string("\(error)")
        }
        let body = JSONValue.object(JSONObject([("error", .object(object))]))
        let structured: Value? = ValueBridge.mcp(body)
        return CallTool.Result(content: [.text(text: body.compactText, annotations: nil, _meta: nil)],
                               structuredContent: structured, isError: true)
    }
}
