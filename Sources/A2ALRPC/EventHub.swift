import A2ALThreads

/// Fans node events out to the connections subscribed to them (geth-style `subscribe`).
///
/// `publish` is called from the node's own code paths, so it never blocks and never waits
/// on a client: it serialises the event once, hands each subscriber its line through the
/// non-blocking `LineSink.send`, and ends every subscription of a connection whose backlog
/// has grown past the limit (one final `slow_subscriber` notice per subscription; the
/// connection stays open for calls). The lock guards only the tables; sinks are called
/// outside it.
public final class EventHub: Sendable {
    /// The events clients may subscribe to.
    public let eventNames: [String]
    private let state: SleepingLock<HubState>

    public init(eventNames: [String]) {
        self.eventNames = eventNames
        self.state = SleepingLock(HubState(maxBacklog: RPCLimits().maxSubscriberBacklog))
    }

    /// Delivers `result` to every subscriber of `event`. Cheap when nobody listens; callers
    /// that build an expensive result can check `hasSubscribers` first. Delivery works on a
    /// snapshot of the subscribers, so a subscription ended while a publish is under way may
    /// still get that one event.
    public func publish(_ event: String, _ result: JSONObject) {
        let (targets, maxBacklog) = state.withLock { ($0.byEvent[event] ?? [], $0.maxBacklog) }
        guard !targets.isEmpty else { return }
        // Only the subscription id differs between subscribers: serialise the rest once.
        var out = JSONOutput()
        out.append(#"","result":"#)
        JSONWriter.write(result, to: &out)
        out.append("}}")
        let suffix = out.finish()
        var slowConnections: Set<UInt64> = []
        for target in targets {
            if slowConnections.contains(target.connection) { continue }
            if target.sink.backlog > maxBacklog {
                slowConnections.insert(target.connection)
                continue
            }
            var line: [UInt8] = []
            line.reserveCapacity(Self.notificationPrefix.count + target.idText.utf8.count + suffix.count)
            line.append(contentsOf: Self.notificationPrefix)
            line.append(contentsOf: target.idText.utf8)
            line.append(contentsOf: suffix)
            target.sink.send(line)
        }
        for connection in slowConnections { endSlowSubscriber(connection, maxBacklog: maxBacklog) }
    }

    public func hasSubscribers(_ event: String) -> Bool {
        state.withLock { $0.byEvent[event]?.isEmpty == false }
    }

    /// Subscriptions held by all connections.
    public var subscriptionCount: Int {
        state.withLock { s in s.connections.values.reduce(0) { $0 + $1.subscriptions.count } }
    }

    private static let notificationPrefix = Array(#"{"jsonrpc":"2.0","method":"subscription","params":{"subscription":""#.utf8)

    // MARK: Connections and subscriptions (driven by RPCService and its sessions)

    /// Set by `RPCService` from its limits.
    func setMaxBacklog(_ lines: Int) {
        state.withLock { $0.maxBacklog = lines }
    }

    /// Connections known to the hub: every open session, subscribed or not.
    var connectionCount: Int { state.withLock { $0.connections.count } }

    /// Subscriptions `connection` holds now.
    func subscriptionCount(of connection: UInt64) -> Int {
        state.withLock { $0.connections[connection]?.subscriptions.count ?? 0 }
    }

    func openConnection(_ id: UInt64, sink: any LineSink) {
        state.withLock { $0.connections[id] = HubConnection(sink: sink) }
    }

    /// Forgets the connection and ends its subscriptions silently (nobody is left to tell),
    /// then tells the close observers, outside the lock.
    func closeConnection(_ id: UInt64) {
        let observers = state.withLock { s -> [@Sendable (UInt64) -> Void] in
            guard let connection = s.connections.removeValue(forKey: id) else { return [] }
            s.removeSubscriptions(connection.subscriptions, of: id)
            return s.closeObservers
        }
        for observer in observers { observer(id) }
    }

    // MARK: Other things a connection holds

    /// Registers `observer` to be told of every connection that closes, after the hub has
    /// forgotten it. Whatever else the host scopes to a connection (the daemon's watches,
    /// docs/jsonrpc.md) ends there, as its subscriptions do. Register at start-up, before
    /// connections open; the observer must be quick and must not call back into the hub
    /// while holding its own lock.
    public func addCloseObserver(_ observer: @escaping @Sendable (UInt64) -> Void) {
        state.withLock { $0.closeObservers.append(observer) }
    }

    /// Whether `connection` is open. A host that registers something for a connection checks
    /// this under its own lock, and drops the same connection's entries in its close
    /// observer under that lock: the entry then never outlives the connection, whichever
    /// comes first (the observer runs only after the hub forgot the connection).
    public func isOpen(_ connection: UInt64) -> Bool {
        state.withLock { $0.connections[connection] != nil }
    }

    /// Registers a subscription of an open connection and returns its id (16 hex digits).
    /// Done under the lock together with the open-connection check, so a subscription can
    /// not outlive its connection when `subscribe` races with the close.
    func subscribe(event: String, connection: UInt64, maxPerConnection: Int) throws(RPCError) -> String {
        let outcome: Result<String, RPCError> = state.withLock { s in
            guard let conn = s.connections[connection] else {
                return .failure(.app(.unavailable, "subscriptions need a client connection that is open"))
            }
            guard conn.subscriptions.count < maxPerConnection else {
                return .failure(.app(.overloaded, "too many subscriptions on this connection (limit \(maxPerConnection))"))
            }
            var id: String
            repeat { id = Self.randomID() } while s.subscriptionEvent[id] != nil
            s.connections[connection]?.subscriptions.append(id)
            s.subscriptionEvent[id] = event
            s.byEvent[event, default: []].append(Subscriber(idText: id, connection: connection, sink: conn.sink))
            return .success(id)
        }
        return try outcome.get()
    }

    /// Ends one subscription of `connection`; false if it holds no such subscription
    /// (a connection can not end another connection's subscriptions).
    func unsubscribe(_ id: String, connection: UInt64) -> Bool {
        state.withLock { s in
            guard s.connections[connection]?.subscriptions.contains(id) == true else { return false }
            s.connections[connection]?.subscriptions.removeAll { $0 == id }
            s.removeSubscriptions([id], of: connection)
            return true
        }
    }

    /// Ends all subscriptions of a connection that does not keep up. Only the caller that
    /// actually removes them sends the notices, so each subscription gets exactly one even
    /// when several publishers notice the backlog at once.
    private func endSlowSubscriber(_ connection: UInt64, maxBacklog: Int) {
        let ended: (sink: any LineSink, ids: [String])? = state.withLock { s in
            guard let conn = s.connections[connection], !conn.subscriptions.isEmpty else { return nil }
            s.connections[connection]?.subscriptions = []
            s.removeSubscriptions(conn.subscriptions, of: connection)
            return (conn.sink, conn.subscriptions)
        }
        guard let ended else { return }
        let error = RPCError.app(.slowSubscriber, "subscriber too slow: more than \(maxBacklog) undelivered lines; subscription ended")
        for id in ended.ids {
            let params: JSONObject = ["subscription": .string(id), "error": error.json]
            let notice: JSONObject = ["jsonrpc": "2.0", "method": "subscription", "params": .object(params)]
            ended.sink.send(JSONWriter.write(notice))
        }
    }

    /// 16 random lowercase hex digits: the form of subscription and watch ids alike.
    public static func randomID() -> String {
        var rng = SystemRandomNumberGenerator()
        let v = rng.next() as UInt64
        let hex = String(v, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

private struct Subscriber: Sendable {
    let idText: String
    let connection: UInt64
    let sink: any LineSink
}

private struct HubConnection: Sendable {
    let sink: any LineSink
    var subscriptions: [String] = []
}

private struct HubState: Sendable {
    var maxBacklog: Int
    var connections: [UInt64: HubConnection] = [:]
    /// Subscribers per event, copied out by `publish` so delivery runs outside the lock.
    var byEvent: [String: [Subscriber]] = [:]
    var subscriptionEvent: [String: String] = [:]
    /// Told of each connection that closes (`addCloseObserver`).
    var closeObservers: [@Sendable (UInt64) -> Void] = []

    mutating func removeSubscriptions(_ ids: [String], of connection: UInt64) {
        for id in ids {
            guard let event = subscriptionEvent.removeValue(forKey: id) else { continue }
            byEvent[event]?.removeAll { $0.idText == id }
            if byEvent[event]?.isEmpty == true { byEvent[event] = nil }
        }
    }
}
