import A2ALDHT
import A2ALThreads

/// Notices a healed partition and has the node re-anchor its replica sets (docs/protocol.md,
/// "Partitions"). Two signs, either enough: peers we had marked bad answering again (at least
/// `minRecoveries` within `window`), or the number of good peers in the routing table growing by
/// a quarter (at least `minGrowth`) over its low of the last `window` — a node that never
/// marked the other side bad (it had evicted or never dialled it) still sees the table grow
/// when the sides meet. One renewal round per `cooldown` at most.
final class PartitionHealer: Sendable {
    static let checkInterval: Duration = .seconds(5)
    static let window: UInt64 = 60
    static let cooldown: UInt64 = 30
    static let minRecoveries = 2
    static let minGrowth = 3

    private struct State {
        var recoveries: [UInt64] = []
        var goodSamples: [(at: UInt64, good: Int)] = []
        var lastHeal: UInt64?
    }
    private let state = SleepingLock(State())
    let clock: any NodeClock

    init(clock: any NodeClock) { self.clock = clock }

    /// Called from the node's inbound path: constant work (old entries go in `decide`).
    func peerRecovered() {
        let now = clock.unixSeconds()
        state.withLock { s in if s.recoveries.count < 4096 { s.recoveries.append(now) } }
    }

    /// Whether the evidence at `now` makes a heal; pure apart from the state it keeps.
    func decide(good: Int, now: UInt64) -> Bool {
        state.withLock { s in
            let since = now > Self.window ? now - Self.window : 0
            s.recoveries.removeAll { $0 < since }
            s.goodSamples.removeAll { $0.at < since }
            s.goodSamples.append((now, good))
            if let last = s.lastHeal, now < last + Self.cooldown { return false }
            let low = s.goodSamples.map(\.good).min() ?? good
            let grew = good - low >= max(Self.minGrowth, low / 4)
            guard s.recoveries.count >= Self.minRecoveries || grew else { return false }
            s.lastHeal = now
            s.recoveries = []
            s.goodSamples = [(now, good)]
            return true
        }
    }

    /// Runs until cancelled.
    func run(node: DHTNode, onHeal: @escaping @Sendable () -> Void) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: Self.checkInterval) } catch { return }
            guard decide(good: node.routingHealthCounts().good, now: clock.unixSeconds()) else { continue }
            onHeal()
            await node.reanchorReplicaSets()
        }
    }
}
