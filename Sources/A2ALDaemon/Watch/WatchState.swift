import A2ALCore

/// One watch: who made it, what it looks at, how often it asked to poll.
struct WatchEntry: Sendable {
    let connection: UInt64
    let target: WatchTarget
    let interval: Duration
}

/// What the registry keeps per watched key, shared by every watch of the key.
struct KeyWatch: Sendable {
    /// The watches of this key, in the order they were made.
    var ids: [String]
    var seen = SeenRecords(capacity: WatchLimits.rememberedPerKey)
    var backoff: PollBackoff
    /// The poll loop that may run now; a loop whose generation is no longer this one exits
    /// at its next step (it was replaced or the key is no longer watched).
    var generation: UInt64 = 0
    var loop: Task<Void, Never>?
    /// While the loop sleeps: when it will poll next.
    var wakeAt: ContinuousClock.Instant?

    init(id: String, interval: Duration) {
        ids = [id]
        backoff = PollBackoff(base: interval)
    }
}

/// Everything `WatchRegistry` guards with its one lock.
struct RegistryState: Sendable {
    var watches: [String: WatchEntry] = [:]
    var byConnection: [UInt64: [String]] = [:]
    var keys: [NodeID: KeyWatch] = [:]
    var nextGeneration: UInt64 = 0
    /// Set by `stopAll` at shutdown: no watch is made after it.
    var stopped = false

    /// The targets of every watch of `key`.
    func targets(of key: NodeID) -> [WatchTarget] {
        keys[key]?.ids.compactMap { watches[$0]?.target } ?? []
    }

    /// The shortest interval any watch of `key` asked for.
    func baseInterval(of key: NodeID) -> Duration? {
        keys[key]?.ids.compactMap { watches[$0]?.interval }.min()
    }

    /// The type a poll of `key` asks for: the one type all its watches want, else every type.
    func pollType(of key: NodeID) -> UInt8 {
        let types = Set(targets(of: key).map(\.pollType))
        return types.count == 1 ? types.first ?? 0 : 0
    }

    mutating func newGeneration() -> UInt64 {
        nextGeneration &+= 1
        return nextGeneration
    }
}
