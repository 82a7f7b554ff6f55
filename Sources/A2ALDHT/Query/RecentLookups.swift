import A2ALCore
import A2ALProtocol

/// The answers of recent converged FIND_NODE lookups, by target. A node that has just looked
/// up a key (its own ID at bootstrap, above all) and then publishes there reuses the answer
/// instead of walking the same path again: the K closest set barely moves within a minute.
struct RecentLookups {
    static let maxAge: Duration = .seconds(60)
    /// A node publishes a handful of keys; a few answers cover them, and each holds K nodes.
    static let capacity = 8

    private var entries: [NodeID: (at: Tick, nodes: [NodeInfo])] = [:]

    mutating func remember(_ target: NodeID, _ nodes: [NodeInfo], at now: Tick) {
        guard !nodes.isEmpty else { return }
        // Answers past their age are useless; dropping them keeps an idle node's memory flat.
        entries = entries.filter { now - $0.value.at <= Self.maxAge }
        if entries[target] == nil, entries.count >= Self.capacity {
            // Drop the oldest; the table is tiny, a scan is cheaper than keeping an order.
            if let oldest = entries.min(by: { $0.value.at < $1.value.at })?.key { entries[oldest] = nil }
        }
        entries[target] = (now, nodes)
    }

    /// Drops the answer for `target`: the caller found it fell short (a replica set it could
    /// not fill), so the next use looks the key up anew.
    mutating func forget(_ target: NodeID) {
        entries[target] = nil
    }

    func fresh(_ target: NodeID, now: Tick) -> [NodeInfo]? {
        guard let e = entries[target], now - e.at <= Self.maxAge else { return nil }
        return e.nodes
    }
}
