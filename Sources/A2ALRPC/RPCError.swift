/// A JSON-RPC error object. Standard codes come from the JSON-RPC 2.0 specification;
/// application errors use -32001...-32099 (the range the specification leaves to servers) and
/// always carry `data.kind`, a stable snake_case name clients can switch on.
public struct RPCError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    public var message: String
    public var data: JSONValue?

    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    public var description: String { "RPCError(\(code)): \(message)" }

    // MARK: JSON-RPC 2.0
    public static let parseErrorCode = -32700
    public static let invalidRequestCode = -32600
    public static let methodNotFoundCode = -32601
    public static let invalidParamsCode = -32602
    public static let internalErrorCode = -32603

    public static func parseError(_ why: String) -> RPCError { RPCError(code: parseErrorCode, message: "parse error: \(why)") }
    public static func invalidRequest(_ why: String) -> RPCError { RPCError(code: invalidRequestCode, message: "invalid request: \(why)") }
    /// `suggestions`: the closest method names, best first (`NameSuggestions`); always present,
    /// possibly empty, so clients need not test for it.
    public static func methodNotFound(_ name: String, suggestions: [String] = []) -> RPCError {
        let hint = suggestions.isEmpty ? "" : " (did you mean \(suggestions.joined(separator: ", "))?)"
        return RPCError(code: methodNotFoundCode, message: "method not found: \(name)\(hint)",
                        data: ["method": .string(name), "suggestions": .array(suggestions.map { .string($0) })])
    }
    /// `field` is the parameter's path ("records[2].ttl_s"); `why` says what was wrong with it.
    public static func invalidParams(_ field: String, _ why: String) -> RPCError {
        RPCError(code: invalidParamsCode, message: "invalid params: \(field): \(why)",
                 data: ["field": .string(field), "reason": .string(why)])
    }
    /// A parameter the method does not take: `data.unknown` names it and `data.did_you_mean`
    /// holds the closest parameter the method does take (null when none is close).
    public static func unknownParam(_ field: String, known: [String]) -> RPCError {
        let key = field.split(separator: ".").last.map(String.init) ?? field
        let best = NameSuggestions.closest(to: key, among: known, limit: 1).first
        let why = best.map { "unknown parameter; did you mean \($0)?" } ?? "unknown parameter"
        return RPCError(code: invalidParamsCode, message: "invalid params: \(field): \(why)",
                        data: ["field": .string(field), "reason": .string(why), "unknown": .string(field),
                               "did_you_mean": best.map { .string($0) } ?? .null])
    }
    public static func internalError(_ why: String) -> RPCError { RPCError(code: internalErrorCode, message: "internal error: \(why)") }

    // MARK: Application errors (-32001...-32099)
    /// The application error kinds, each with a fixed code. Documented in docs/ and schema/.
    public enum Kind: String, Sendable, CaseIterable {
        case notFound = "not_found"               // no such record / endpoint / agent / subscription
        case timeout = "timeout"                  // the method's timeout_ms elapsed
        case staleRecord = "stale_record"         // a newer record already holds the slot
        case invalidRecord = "invalid_record"     // signature, payload, time or authority check failed
        case badAddress = "bad_address"           // a peer address or agent address could not be used
        case peerError = "peer_error"             // the remote peer failed, answered wrongly or not at all
        case overloaded = "overloaded"            // too many connections or requests in flight
        case conflict = "conflict"                // e.g. importing an agent that already exists
        case storage = "storage"                  // the data directory could not be written
        case unavailable = "unavailable"          // the node is shutting down or not started
        case slowSubscriber = "slow_subscriber"   // final notice before a subscription is dropped

        public var code: Int {
            switch self {
            case .notFound: return -32001
            case .timeout: return -32002
            case .staleRecord: return -32003
            case .invalidRecord: return -32004
            case .badAddress: return -32005
            case .peerError: return -32006
            case .overloaded: return -32007
            case .conflict: return -32008
            case .storage: return -32009
            case .unavailable: return -32010
            case .slowSubscriber: return -32011
            }
        }
    }

    /// An application error; `details` are merged into `data` after `kind`.
    public static func app(_ kind: Kind, _ message: String, _ details: JSONObject = JSONObject()) -> RPCError {
        var data = JSONObject([("kind", .string(kind.rawValue))])
        for (k, v) in details { data[k] = v }
        return RPCError(code: kind.code, message: message, data: .object(data))
    }

    /// The error object as it goes on the wire.
    public var json: JSONValue {
        var o = JSONObject([("code", .int(Int64(code))), ("message", .string(message))])
        if let data { o["data"] = data }
        return .object(o)
    }
}
