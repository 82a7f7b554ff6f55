import A2ALRPC
import Foundation
import MCP

/// Conversions between the daemon's `JSONValue` and the MCP SDK's `Value`.
enum ValueBridge {
    static func mcp(_ v: JSONValue) -> Value {
        switch v {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return Int(exactly: i).map(Value.int) ?? .double(Double(i))
        // `Value` has no arbitrary-precision integer; the text content keeps the exact digits.
        case .bigInt(let text): return Double(text).map(Value.double) ?? .string(text)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .array(let a): return .array(a.map(mcp))
        case .object(let o):
            var out: [String: Value] = [:]
            for (k, x) in o { out[k] = mcp(x) }
            return .object(out)
        }
    }

    static func json(_ v: Value) -> JSONValue {
        switch v {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(Int64(i))
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        // The SDK decodes strings that look like data: URLs into `.data`; the daemon wants
        // the string the client sent, which re-encoding gives back.
        case .data(let mime, let data): return .string(data.dataURLEncoded(mimeType: mime))
        case .array(let a): return .array(a.map(json))
        case .object(let o):
            // Sorted, so the params the daemon sees do not depend on dictionary order.
            return .object(JSONObject(o.keys.sorted().map { ($0, json(o[$0] ?? .null)) }))
        }
    }
}
