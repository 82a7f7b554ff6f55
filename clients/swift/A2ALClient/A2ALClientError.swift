import A2ALRPC

/// Everything a call on `A2ALClient` can throw.
///
/// `.rpc` carries the daemon's own error object unchanged (code, message, data); the other
/// cases happen on this side of the socket. `class` groups them the way `a2al-cli` turns them
/// into exit codes.
public enum A2ALClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The daemon answered with a JSON-RPC error.
    case rpc(RPCError)
    /// The socket could not be connected (no daemon, wrong path, permission).
    case connectFailed(path: String, reason: String)
    /// No reply within the local deadline. The daemon may still finish the call.
    case timedOut(method: String, after: Duration)
    /// The connection ended (daemon stopped, `close()` called) before the reply.
    case connectionClosed(String)
    /// The daemon sent something that is not a JSON-RPC 2.0 reply this client can use.
    case protocolViolation(String)
    /// The caller's arguments could not be sent (e.g. params that do not encode to a JSON object).
    case invalidArgument(String)
    /// This subscription's events arrived faster than they were consumed and the client-side
    /// buffer of `bufferedEvents` filled up; the subscription was ended rather than silently
    /// losing events.
    case eventBufferOverflow(subscription: String, bufferedEvents: Int)

    public var description: String {
        switch self {
        case .rpc(let e):
            return "[\(e.code)] \(e.message)"
        case .connectFailed(let path, let reason):
            return "cannot connect to \(path): \(reason)"
        case .timedOut(let method, let after):
            return "\(method): no reply within \(after.secondsText) (the daemon may still complete it)"
        case .connectionClosed(let why):
            return "connection closed: \(why)"
        case .protocolViolation(let why):
            return "protocol violation: \(why)"
        case .invalidArgument(let why):
            return "invalid argument: \(why)"
        case .eventBufferOverflow(let id, let n):
            return "subscription \(id) ended: \(n) unread events buffered"
        }
    }

    /// The daemon's error object, for `.rpc`.
    public var rpcError: RPCError? {
        if case .rpc(let e) = self { return e }
        return nil
    }

    /// The application error kind (`data.kind`) of an `.rpc` error, when it has one.
    public var kind: RPCError.Kind? { rpcError?.kind }
}

extension RPCError {
    /// `data.kind` as a known kind, or nil for standard JSON-RPC errors and unknown kinds.
    public var kind: Kind? {
        data?["kind"]?.stringValue.flatMap(Kind.init(rawValue:))
    }
}

extension Duration {
    /// "1.5 s", "250 ms".
    var secondsText: String {
        let (s, atto) = components
        let ms = s * 1000 + atto / 1_000_000_000_000_000
        if ms % 1000 == 0 { return "\(ms / 1000) s" }
        if ms >= 1000 { return "\(Double(ms) / 1000) s" }
        return "\(ms) ms"
    }
}
