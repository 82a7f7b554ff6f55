import A2ALCore
import A2ALProtocol

/// What the adversaries of a run know: every colluding adversary's contact (they share it out of
/// band, as a botnet would) and every node's contact, which stands in for a well-filled routing
/// table when an adversary answers honestly (docs/benchmarks.md, "Adversaries in the
/// simulator"). Fixed once the run's nodes exist.
public final class AdversaryDirectory: Sendable {
    public let adversaries: [NodeInfo]
    public let everyone: [NodeInfo]
    /// Record keys under eclipse attack.
    public let victimKeys: [NodeID]
    /// A target sharing at least this many leading bits with a victim key counts as "near" it.
    public let victimPrefixBits: Int

    public init(adversaries: [NodeInfo], honest: [NodeInfo], victimKeys: [NodeID] = [], victimPrefixBits: Int = 0) {
        self.adversaries = adversaries
        self.everyone = honest + adversaries
        self.victimKeys = victimKeys
        self.victimPrefixBits = victimPrefixBits
    }

    /// Whether a lookup of `target` is one an eclipse adversary lies about.
    public func isNearVictim(_ target: NodeID) -> Bool {
        victimKeys.contains { $0 == target || $0.commonPrefixLength(with: target) >= max(victimPrefixBits, 1) }
    }

    /// The `count` adversaries closest to `target`, closest first.
    public func closestAdversaries(to target: NodeID, count: Int) -> [NodeInfo] {
        Self.closest(adversaries, to: target, count: count)
    }

    /// The `count` nodes of the whole network closest to `target`, closest first.
    public func closestOfAll(to target: NodeID, count: Int) -> [NodeInfo] {
        Self.closest(everyone, to: target, count: count)
    }

    /// A bounded insertion sort: O(n) for the small counts lookups ask for.
    static func closest(_ pool: [NodeInfo], to target: NodeID, count: Int) -> [NodeInfo] {
        guard count > 0 else { return [] }
        var best: [(Distance, NodeInfo)] = []
        best.reserveCapacity(count + 1)
        for info in pool {
            let d = info.nodeID.distance(to: target)
            if best.count == count, let last = best.last, d >= last.0 { continue }
            let at = best.firstIndex { d < $0.0 } ?? best.count
            best.insert((d, info), at: at)
            if best.count > count { best.removeLast() }
        }
        return best.map(\.1)
    }
}
