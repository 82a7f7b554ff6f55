import A2ALCore

/// When each verified peer was last seen (wall-clock Unix seconds), for the sliding-window
/// reach statistics of docs/node-behaviour.md §8 and the `unique_nodes_since_start` counter.
///
/// Differences from the reference, both deliberate:
/// - Our own NodeID is never recorded (docs/deviations.md §2).
/// - The table is bounded by `maxEntries`. Recording a new peer into a full table first drops
///   the least recently recorded sighting, which is the oldest one as long as the wall clock
///   does not jump backwards (loaded entries are inserted oldest first). O(1) per record.
///
/// "First sighting this boot" is remembered per entry rather than in a separate, unbounded
/// set. A peer whose entry was dropped (older than 7 days, or evicted by the cap) and is then
/// seen again counts once more towards `uniqueSinceStart`; that only happens to a node up for
/// more than a week or meeting more than `maxEntries` peers, where the count is an estimate
/// anyway, and it keeps memory strictly bounded.
///
/// A value type: the node keeps it inside its `SleepingLock` and calls it synchronously.
public struct SeenPeers: Sendable {
    /// Reach counts: distinct peers seen within the last hour, day and week.
    public struct Reach: Sendable, Equatable, CustomStringConvertible {
        public var h1: Int
        public var h24: Int
        public var d7: Int

        public init(h1: Int, h24: Int, d7: Int) {
            self.h1 = h1
            self.h24 = h24
            self.d7 = d7
        }

        public var description: String { "reach(1h: \(h1), 24h: \(h24), 7d: \(d7))" }
    }

    /// One peer's last sighting.
    struct Sighting: Sendable, Equatable {
        var lastSeenUnix: UInt64
        /// Seen by `record` since this process started (not merely loaded from disk).
        var seenThisBoot: Bool
    }

    /// Default bound on remembered peers.
    public static let defaultMaxEntries = 100_000
    /// Sightings older than this are pruned, not loaded and not saved (`seenPeersTTL`).
    public static let retentionSeconds: UInt64 = 7 * 24 * 60 * 60
    /// The `reach_1h` window.
    public static let hourWindowSeconds: UInt64 = 60 * 60
    /// The `reach_24h` window.
    public static let dayWindowSeconds: UInt64 = 24 * 60 * 60

    /// This node's own id, never recorded.
    public let selfID: NodeID
    /// Most peers remembered at once (at least 1).
    public let maxEntries: Int
    /// Distinct peers first seen by `record` since this process started; entries loaded from
    /// disk do not count until they are seen again.
    public private(set) var uniqueSinceStart: UInt64 = 0
    private var sightings = RecencyTable<NodeID, Sighting>()

    public init(selfID: NodeID, maxEntries: Int = SeenPeers.defaultMaxEntries) {
        self.selfID = selfID
        self.maxEntries = max(1, maxEntries)
    }

    /// Number of peers with a sighting (including ones older than 7 days not yet pruned).
    public var count: Int { sightings.count }

    /// A verified peer was seen now (docs/node-behaviour.md §8.1: every verified routing insertion
    /// attempt). Overwrites the last-seen time; ignored for our own id.
    public mutating func record(_ id: NodeID, unixSeconds: UInt64) {
        guard id != selfID else { return }
        let firstThisBoot = sightings.modify(id, touch: true) { sighting -> Bool in
            sighting.lastSeenUnix = unixSeconds
            defer { sighting.seenThisBoot = true }
            return !sighting.seenThisBoot
        }
        switch firstThisBoot {
        case true?:
            uniqueSinceStart &+= 1
        case false?:
            break
        case nil:
            if sightings.count >= maxEntries { sightings.removeOldest() }
            sightings.setNewest(Sighting(lastSeenUnix: unixSeconds, seenThisBoot: true), for: id)
            uniqueSinceStart &+= 1
        }
    }

    /// The last-seen time of `id`, if remembered.
    public func lastSeen(_ id: NodeID) -> UInt64? {
        sightings.value(for: id)?.lastSeenUnix
    }

    /// Counts peers by window (docs/node-behaviour.md §8.2) and prunes sightings strictly older
    /// than `retentionSeconds`. Windows are inclusive: a peer seen exactly one hour ago still
    /// counts in `h1`. One pass over all entries; meant for on-demand statistics.
    public mutating func reach(nowUnix: UInt64) -> Reach {
        let weekCutoff = Self.cutoff(nowUnix, Self.retentionSeconds)
        let dayCutoff = Self.cutoff(nowUnix, Self.dayWindowSeconds)
        let hourCutoff = Self.cutoff(nowUnix, Self.hourWindowSeconds)
        var reach = Reach(h1: 0, h24: 0, d7: 0)
        sightings.removeAll { _, sighting in
            let seen = sighting.lastSeenUnix
            if seen < weekCutoff { return true }
            reach.d7 += 1
            if seen >= dayCutoff { reach.h24 += 1 }
            if seen >= hourCutoff { reach.h1 += 1 }
            return false
        }
        return reach
    }

    // MARK: - Internals shared with persistence

    /// `now − window`, saturating at 0 (a window reaching before 1970 includes everything).
    static func cutoff(_ nowUnix: UInt64, _ window: UInt64) -> UInt64 {
        nowUnix >= window ? nowUnix - window : 0
    }

    /// Adds a sighting loaded from disk without counting it as seen this boot. The caller
    /// passes loaded entries oldest first, so the oldest are evicted first.
    mutating func insertLoaded(_ id: NodeID, lastSeenUnix: UInt64) {
        guard id != selfID, !sightings.contains(id) else { return }
        if sightings.count >= maxEntries { sightings.removeOldest() }
        sightings.setNewest(Sighting(lastSeenUnix: lastSeenUnix, seenThisBoot: false), for: id)
    }

    /// Visits every sighting, in no particular order.
    func forEachSighting(_ body: (NodeID, Sighting) -> Void) {
        sightings.forEach(body)
    }
}
