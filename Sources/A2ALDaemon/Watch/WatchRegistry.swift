import A2ALCore
import A2ALDHT
import A2ALRPC
import A2ALThreads

/// The daemon's watches (docs/jsonrpc.md, "Watches"): which connection watches what, and per
/// watched key one `KeyWatch` shared by all the watches of that key, so a key is polled once
/// and each of its records announced once however many clients watch it (events go to every
/// subscriber of `record_pushed` / `mailbox_received`, like every other event).
///
/// Watches belong to the connection that made them and end with it, as its subscriptions do:
/// the hub tells the registry of each connection that closes (`EventHub.addCloseObserver`).
/// Lock order: this registry's lock, then the node's or the hub's; neither calls back into
/// the registry while holding its own.
final class WatchRegistry: Sendable {
    let node: DHTNode
    let announcer: WatchAnnouncer
    let state = SleepingLock(RegistryState())

    init(node: DHTNode, hub: EventHub, agents: AgentStore) {
        self.node = node
        self.announcer = WatchAnnouncer(hub: hub, agents: agents)
    }

    /// Watches held by all connections.
    var count: Int { state.withLock { $0.watches.count } }

    /// Starts a watch for `connection` and returns its id (16 hex digits). The first watch of
    /// a key polls it at once; a later one shortens the key's interval if it asks for less.
    func add(_ target: WatchTarget, interval: Duration, connection: UInt64) throws(RPCError) -> String {
        let hub = announcer.hub
        let outcome: Result<(String, Task<Void, Never>?), RPCError> = state.withLock { s in
            guard !s.stopped, hub.isOpen(connection) else {
                return .failure(.app(.unavailable, "watches need a client connection that is open"))
            }
            let held = s.byConnection[connection]?.count ?? 0
            guard held < WatchLimits.maxPerConnection else {
                return .failure(.app(.overloaded, "too many watches on this connection (limit \(WatchLimits.maxPerConnection)); unwatch one first",
                                     ["limit": .integer(WatchLimits.maxPerConnection), "scope": "connection"]))
            }
            guard s.watches.count < WatchLimits.maxTotal else {
                return .failure(.app(.overloaded, "the daemon holds as many watches as it may (limit \(WatchLimits.maxTotal)); try again later",
                                     ["limit": .integer(WatchLimits.maxTotal), "scope": "daemon"]))
            }
            guard node.watch(target.key) else {
                return .failure(.app(.overloaded, "the node watches as many keys as it may (limit \(PushConstants.maxWatchedKeys))",
                                     ["limit": .integer(PushConstants.maxWatchedKeys), "scope": "node"]))
            }
            var id: String
            repeat { id = EventHub.randomID() } while s.watches[id] != nil
            s.watches[id] = WatchEntry(connection: connection, target: target, interval: interval)
            s.byConnection[connection, default: []].append(id)
            let replaced: Task<Void, Never>?
            if s.keys[target.key] == nil {
                s.keys[target.key] = KeyWatch(id: id, interval: interval)
                replaced = startLoop(target.key, in: &s, after: nil)
            } else {
                s.keys[target.key]?.ids.append(id)
                replaced = rebase(target.key, in: &s)
            }
            return .success((id, replaced))
        }
        let (id, replaced) = try outcome.get()
        replaced?.cancel()
        return id
    }

    /// Ends one watch of `connection`; false when it holds no watch with that id (a connection
    /// cannot end another's watches).
    func remove(_ id: String, connection: UInt64) -> Bool {
        let outcome: (Bool, [Task<Void, Never>]) = state.withLock { s in
            guard s.watches[id]?.connection == connection else { return (false, []) }
            s.byConnection[connection]?.removeAll { $0 == id }
            if s.byConnection[connection]?.isEmpty == true { s.byConnection[connection] = nil }
            return (true, drop([id], in: &s))
        }
        for task in outcome.1 { task.cancel() }
        return outcome.0
    }

    /// The connection closed: its watches end (nobody is left to tell).
    func connectionClosed(_ connection: UInt64) {
        let stopped = state.withLock { s -> [Task<Void, Never>] in
            guard let ids = s.byConnection.removeValue(forKey: connection) else { return [] }
            return drop(ids, in: &s)
        }
        for task in stopped { task.cancel() }
    }

    /// Shutdown: every watch ends and no new one is made.
    func stopAll() {
        let stopped = state.withLock { s -> [Task<Void, Never>] in
            s.stopped = true
            s.byConnection = [:]
            return drop(Array(s.watches.keys), in: &s)
        }
        for task in stopped { task.cancel() }
    }

    // MARK: Table upkeep (with the lock held)

    /// Forgets watches; keys nobody watches any more stop polling. Returns the loops to cancel.
    private func drop(_ ids: [String], in s: inout RegistryState) -> [Task<Void, Never>] {
        var stopped: [Task<Void, Never>] = []
        for id in ids {
            guard let entry = s.watches.removeValue(forKey: id) else { continue }
            node.unwatch(entry.target.key)
            s.keys[entry.target.key]?.ids.removeAll { $0 == id }
            if s.keys[entry.target.key]?.ids.isEmpty == true, let gone = s.keys.removeValue(forKey: entry.target.key) {
                if let loop = gone.loop { stopped.append(loop) }
            } else if let base = s.baseInterval(of: entry.target.key) {
                s.keys[entry.target.key]?.backoff.rebase(base)
            }
        }
        return stopped
    }

    /// The watches of `key` changed: its base interval is the shortest asked for. A loop
    /// sleeping past the new base is replaced by one that polls after it.
    private func rebase(_ key: NodeID, in s: inout RegistryState) -> Task<Void, Never>? {
        guard let base = s.baseInterval(of: key) else { return nil }
        s.keys[key]?.backoff.rebase(base)
        return wakeSooner(key, in: &s)
    }

    /// When the loop of `key` sleeps longer than the key's current interval (after a rebase or
    /// activity), replaces it by one that polls after that interval. Returns the old loop.
    func wakeSooner(_ key: NodeID, in s: inout RegistryState) -> Task<Void, Never>? {
        guard let k = s.keys[key], let wakeAt = k.wakeAt, wakeAt > .now + k.backoff.current else { return nil }
        return startLoop(key, in: &s, after: k.backoff.current)
    }

    /// Starts a new poll loop for `key` (first poll after `delay`, or at once) and returns the
    /// one it replaces, for the caller to cancel outside the lock.
    func startLoop(_ key: NodeID, in s: inout RegistryState, after delay: Duration?) -> Task<Void, Never>? {
        guard s.keys[key] != nil else { return nil }
        let generation = s.newGeneration()
        let old = s.keys[key]?.loop
        s.keys[key]?.generation = generation
        s.keys[key]?.wakeAt = delay.map { .now + $0 }
        s.keys[key]?.loop = Task { [self] in await pollLoop(key, generation: generation, firstDelay: delay) }
        return old
    }
}
