import Synchronization

/// The JSON-RPC service: the method table (the caller's methods plus the built-in
/// `subscribe` / `unsubscribe`), the event hub and the limits. The socket server asks it for
/// one `RPCSession` per connection; the daemon and tests can also call methods in-process.
public final class RPCService: Sendable {
    public let hub: EventHub
    public let limits: RPCLimits
    let router: RPCRouter
    /// Told how each call a session answers ended; nil records nothing.
    let observer: (any RPCCallObserver)?

    /// Process-wide, so connection ids stay unique across services (and in logs).
    private static let nextConnectionID = Atomic<UInt64>(1)

    /// `router` must not already hold `subscribe` or `unsubscribe` (a programming error,
    /// caught at start-up).
    public init(router: RPCRouter, hub: EventHub, limits: RPCLimits = RPCLimits(), observer: (any RPCCallObserver)? = nil) {
        self.hub = hub
        self.observer = observer
        self.limits = limits
        hub.setMaxBacklog(limits.maxSubscriberBacklog)
        var table = router
        for method in SubscriptionMethods.make(hub: hub, limits: limits) { table.register(method) }
        self.router = table
    }

    /// A session for a new connection; it stays counted until its `connectionClosed()`.
    public func makeSession(sink: any LineSink, peer: PeerCredentials?) -> RPCSession {
        let id = Self.nextConnectionID.wrappingAdd(1, ordering: .relaxed).oldValue
        hub.openConnection(id, sink: sink)
        return RPCSession(service: self, connection: RPCConnectionInfo(id: id, peer: peer), sink: sink)
    }

    /// Open sessions.
    public var connectionCount: Int { hub.connectionCount }

    /// Every method name, built-ins included, sorted.
    public var methodNames: [String] { router.names }

    /// Every method (name, summary, handler), sorted by name.
    public var methods: [RPCMethod] { router.names.compactMap { router.methods[$0] } }

    /// Calls a method in-process, as connection 0 with no peer (subscriptions need a real
    /// connection and fail with `unavailable`).
    public func call(_ method: String, _ params: JSONObject = [:]) async -> Result<JSONObject, RPCError> {
        guard let m = router.methods[method] else {
            return .failure(.methodNotFound(method, suggestions: router.suggestions(for: method)))
        }
        switch router.namedParams(.byName(params), for: method) {
        case .success(let named): return await Self.invoke(m, params: named, connection: RPCConnectionInfo(id: 0, peer: nil))
        case .failure(let error): return .failure(error)
        }
    }

    /// A complete error response line for errors the server answers by itself, such as a
    /// connection past the connection cap (`overloaded`, `id: null`). Without the '\n'.
    public static func errorLine(_ error: RPCError, id: JSONValue = .null) -> [UInt8] {
        RPCReply.line(id: id, error: error)
    }

    /// `invoke` for a handler that never suspends, on the calling thread.
    static func invokeImmediate(_ method: RPCMethod, _ handler: RPCMethod.ImmediateHandler, params: JSONObject,
                                connection: RPCConnectionInfo) -> Result<JSONObject, RPCError> {
        do {
            return .success(try handler(RPCCall(method: method.name, params: RPCParams(params), connection: connection)))
        } catch {
            return .failure(clientError(error))
        }
    }

    /// Runs a handler and maps what it throws to the error a client sees.
    static func invoke(_ method: RPCMethod, params: JSONObject, connection: RPCConnectionInfo) async -> Result<JSONObject, RPCError> {
        do {
            let call = RPCCall(method: method.name, params: RPCParams(params), connection: connection)
            return .success(try await method.handler(call))
        } catch {
            return .failure(clientError(error))
        }
    }

    /// What a client sees of an error a handler threw.
    private static func clientError(_ error: any Error) -> RPCError {
        switch error {
        case let error as RPCError: error
        case is CancellationError: .app(.unavailable, "cancelled")
        default: .internalError(String(describing: error))
        }
    }
}

/// The built-in `subscribe` / `unsubscribe` methods.
enum SubscriptionMethods {
    static func make(hub: EventHub, limits: RPCLimits) -> [RPCMethod] {
        let subscribe = RPCMethod("subscribe", summary: "Subscribe this connection to an event; returns the subscription id.") { call in
            let event = try call.params.choice("event", hub.eventNames)
            try call.params.finish()
            let id = try hub.subscribe(event: event, connection: call.connection.id,
                                       maxPerConnection: limits.maxSubscriptionsPerConnection)
            return ["subscription": .string(id)]
        }
        let unsubscribe = RPCMethod("unsubscribe", summary: "End a subscription of this connection.") { call in
            let id = try call.params.string("subscription")
            try call.params.finish()
            guard hub.unsubscribe(id, connection: call.connection.id) else {
                throw RPCError.app(.notFound, "no subscription \(id) on this connection", ["subscription": .string(id)])
            }
            return ["unsubscribed": true]
        }
        return [subscribe, unsubscribe]
    }
}
