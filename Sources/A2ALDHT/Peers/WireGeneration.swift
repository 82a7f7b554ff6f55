import A2ALCore

/// What a peer has shown of the wire protocol (docs/protocol.md, "Telling generations apart").
/// There is no capability advertisement, so a peer starts as `.legacy` and only ever moves up on
/// evidence from a verified message it sent us; what we send it follows from this.
public enum WireGeneration: UInt8, Sendable, Comparable, CustomStringConvertible {
    /// Unknown or v0.1.7: gets only v0.1.7 fields and types.
    case legacy = 0
    /// Proved ≥ v0.1.8 (a STORE_RESP with `already_had` or `reason`): gets those keys back.
    case v018 = 1
    /// Proved ≥ v0.2.4 (FIND_VALUE `one_shot_subscribe`, DHT_PUSH, DHT_PUSH_ACK): may be asked
    /// for push subscriptions.
    case v024 = 2

    public static func < (a: WireGeneration, b: WireGeneration) -> Bool { a.rawValue < b.rawValue }

    /// The name used in JSON and logs.
    public var name: String {
        switch self {
        case .legacy: return "legacy"
        case .v018: return "v018"
        case .v024: return "v024"
        }
    }

    public var description: String {
        switch self {
        case .legacy: return "v0.1.7"
        case .v018: return "v0.1.8+"
        case .v024: return "v0.2.4+"
        }
    }
}

/// Per-NodeID wire generation, bounded: when full, the peer heard from least recently is
/// forgotten (it falls back to `.legacy`, the safe default).
struct PeerGenerationTable {
    private struct Entry {
        var generation: WireGeneration
        /// Consecutive timeouts of requests that used a v0.2.x field.
        var newFieldTimeouts: Int
        var lastEvidence: UInt64
    }

    /// Two timeouts in a row of a request carrying a newer field send the peer back to legacy.
    static let downgradeAfterTimeouts = 2

    let capacity: Int
    private var entries: [NodeID: Entry] = [:]
    private var tick: UInt64 = 0

    init(capacity: Int) { self.capacity = capacity }

    var count: Int { entries.count }

    func generation(of id: NodeID) -> WireGeneration { entries[id]?.generation ?? .legacy }

    /// A verified message from `id` proved at least `shown`.
    mutating func observe(_ id: NodeID, shows shown: WireGeneration) {
        guard shown > .legacy else { return }
        tick &+= 1
        if var e = entries[id] {
            if shown > e.generation { e.generation = shown }
            e.newFieldTimeouts = 0
            e.lastEvidence = tick
            entries[id] = e
            return
        }
        if entries.count >= capacity { forgetLeastRecent() }
        entries[id] = Entry(generation: shown, newFieldTimeouts: 0, lastEvidence: tick)
    }

    /// Forgets the quarter of the table with the oldest evidence at once, so a flood of new
    /// identities costs O(log n) per insert instead of a scan each.
    private mutating func forgetLeastRecent() {
        let drop = max(1, capacity / 4)
        let cutoff = entries.values.map(\.lastEvidence).sorted()[min(drop, entries.count) - 1]
        entries = entries.filter { $0.value.lastEvidence > cutoff }
    }

    /// A request to `id` that used a v0.2.x field was answered.
    mutating func newFieldAnswered(_ id: NodeID) { entries[id]?.newFieldTimeouts = 0 }

    /// A request to `id` that used a v0.2.x field timed out; the second in a row forgets the
    /// evidence (the peer may have been replaced by an older node at the same identity).
    mutating func newFieldTimedOut(_ id: NodeID) {
        guard var e = entries[id] else { return }
        e.newFieldTimeouts += 1
        if e.newFieldTimeouts >= Self.downgradeAfterTimeouts {
            entries[id] = nil
        } else {
            entries[id] = e
        }
    }
}
