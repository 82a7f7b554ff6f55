/// When the peer cache is worth writing (docs/architecture.md, peer cache): soon after the table
/// first holds a few verified peers — a node killed minutes after joining must still rejoin
/// without seeds — then whenever the peers a warm start would try have changed noticeably, and
/// at least every `PeerCacheKeeper.saveInterval` anyway. Pure, so tests drive it with numbers.
struct PeerCacheSchedule: Sendable {
    /// Verified peers that make a first cache worth writing.
    static let usefulPeers = 3
    /// Share of the warm-start peers that must have changed for an early save.
    static let changedShare = 0.25
    /// Seconds between two saves at the least (a churning table does not mean a churning disk).
    static let minGap: UInt64 = 10
    static let checkInterval: Duration = .seconds(5)

    private var saved: Set<String> = []
    private var savedAt: UInt64?

    /// Whether to save now, given the node IDs a warm start would try (most recent first, at
    /// most `PeerCacheKeeper.warmBootstrapPeers`) and the time in seconds.
    func shouldSave(warm: [String], now: UInt64) -> Bool {
        guard !warm.isEmpty else { return false }
        guard let at = savedAt else { return warm.count >= Self.usefulPeers }
        let elapsed = now >= at ? now - at : 0
        if elapsed >= UInt64(PeerCacheKeeper.saveInterval.components.seconds) { return true }
        guard elapsed >= Self.minGap else { return false }
        let changed = Set(warm).subtracting(saved).count
        return Double(changed) >= Self.changedShare * Double(max(saved.count, warm.count))
    }

    mutating func didSave(warm: [String], now: UInt64) {
        saved = Set(warm)
        savedAt = now
    }
}
