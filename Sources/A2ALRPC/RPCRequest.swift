/// One entry of a request line, checked against JSON-RPC 2.0 before any handler sees it.
///
/// A value that is not a well-formed request object is answered with -32600 even when it has
/// no `id` (JSON-RPC 2.0 §5: the reply then carries `id: null`). A well-formed request
/// without `id` is a notification: it runs, but nothing is ever answered for it, errors
/// included.
enum RPCRequest {
    /// A request to dispatch. `id` nil means notification. `params` is as sent: by name or by
    /// position; the router maps positions onto names once the method is known.
    case call(method: String, params: RPCRequestParams, id: JSONValue?)
    /// Not a request; answered with `error` and `id` (null when it had no usable id).
    case invalid(RPCError, id: JSONValue)

    init(_ value: JSONValue) {
        guard case .object(let object) = value else {
            self = .invalid(.invalidRequest("a request must be an object, got \(value.typeName)"), id: .null)
            return
        }
        var jsonrpc: JSONValue?
        var method: JSONValue?
        var params: JSONValue?
        var id: JSONValue?
        var unknown: [String] = []
        for (key, member) in object {
            switch key {
            case "jsonrpc": jsonrpc = member
            case "method": method = member
            case "params": params = member
            case "id": id = member
            default: unknown.append(key)
            }
        }
        if let id {
            switch id {
            // A big integer keeps its digits, so the reply carries exactly the id sent.
            case .string, .int, .bigInt, .double, .null: break
            default:
                self = .invalid(.invalidRequest("\"id\" must be a string, number or null, got \(id.typeName)"), id: .null)
                return
            }
        }
        let replyID = id ?? .null
        guard case .string("2.0")? = jsonrpc else {
            let got = jsonrpc.map { "got \($0.compactText.prefix(40))" } ?? "it is missing"
            self = .invalid(.invalidRequest("\"jsonrpc\" must be \"2.0\"; \(got)"), id: replyID)
            return
        }
        guard let method else {
            self = .invalid(.invalidRequest("\"method\" is missing"), id: replyID)
            return
        }
        guard case .string(let name) = method else {
            self = .invalid(.invalidRequest("\"method\" must be a string, got \(method.typeName)"), id: replyID)
            return
        }
        guard unknown.isEmpty else {
            let names = unknown.map { "\"\($0)\"" }.joined(separator: ", ")
            let noun = unknown.count == 1 ? "member" : "members"
            self = .invalid(.invalidRequest("unknown \(noun) \(names) in request (allowed: jsonrpc, method, params, id)"), id: replyID)
            return
        }
        switch params {
        case nil:
            self = .call(method: name, params: .byName(JSONObject()), id: id)
        case .object(let o)?:
            self = .call(method: name, params: .byName(o), id: id)
        case .array(let items)?:
            self = .call(method: name, params: .byPosition(items), id: id)
        case let other?:
            self = .invalid(.invalidRequest("\"params\" must be an object or an array, got \(other.typeName)"), id: replyID)
        }
    }
}

/// `params` of a request: an object (by name) or an array (by position, docs/jsonrpc.md).
enum RPCRequestParams: Sendable {
    case byName(JSONObject)
    case byPosition([JSONValue])
}
