import A2ALCore

/// Per-peer RPC outcome history: classification (Good / Unknown / Bad), exponential back-off
/// and last RTT, exactly as docs/node-behaviour.md §6 and docs/routing.md §2 describe.
///
/// Only network outcomes may be recorded (docs/deviations.md §3): a timeout, an invalid or
/// unexpected reply. Local cancellation, node shutdown and local send errors (packet too
/// large, transport closed, inbox full) say nothing about the peer and must not be recorded;
/// deciding that is the caller's job.
///
/// Unlike the reference, whose health map grows forever (docs/deviations.md §3), the table is
/// bounded: it holds at most `maxEntries` peers, dropping the least recently touched one to
/// make room (O(1)), and `prune(now:)` drops peers with no outcome for `entryTTL`. A forgotten
/// peer is simply Unknown again, as if never contacted.
///
/// A value type: the node keeps it inside its `SleepingLock` and calls it synchronously.
public struct PeerHealthTable: Sendable {
    /// Consecutive failures at which a peer becomes Bad (`badHealthThreshold`).
    public static let badFailureThreshold = 2
    /// Back-off after the first failure; doubles with each further consecutive failure
    /// (`probeInitDelay`).
    public static let backoffBase: Duration = .seconds(30)
    /// Cap on the doubling: 30 s · 2^10 = 8 h 32 min (`maxBackoffShift`).
    public static let maxBackoffShift = 10
    /// Default bound on remembered peers; comfortably above a full routing table (4,096) plus
    /// the peers a busy node meets through queries and replication in a day.
    public static let defaultMaxEntries = 20_000
    /// Peers with no recorded outcome for this long may be pruned. It is well above the longest
    /// back-off (8 h 32 min), so pruning never lifts a back-off that would still be running.
    public static let entryTTL: Duration = .seconds(24 * 60 * 60)

    /// Most peers remembered at once (at least 1).
    public let maxEntries: Int
    /// Packed (docs/routing.md §8.1); `snapshot(of:)` unpacks.
    private var records = RecencyTable<NodeID, PackedHealthRecord>()

    public init(maxEntries: Int = PeerHealthTable.defaultMaxEntries) {
        self.maxEntries = max(1, maxEntries)
    }

    /// Number of peers with a record.
    public var count: Int { records.count }

    /// Bumped whenever a peer's class (`health(of:)`) may have changed: a transition, a record
    /// pruned or evicted. A figure computed from the classes can be kept until it changes.
    public private(set) var classChanges: UInt64 = 0

    /// The back-off set by `recordFailure` after `consecutiveFailures` failures:
    /// 30 s · 2^min(failures − 1, 10).
    public static func backoff(afterConsecutiveFailures consecutiveFailures: Int) -> Duration {
        let shift = min(max(consecutiveFailures - 1, 0), maxBackoffShift)
        return backoffBase * (1 << shift)
    }

    // MARK: - Recording outcomes

    /// An outbound RPC to `id` succeeded (keyed by the responder's NodeID). Resets the failure
    /// streak and any back-off; keeps `rtt` when it is positive. Only genuine network
    /// outcomes may be recorded (docs/deviations.md §3). The caller also marks the routing
    /// entry verified (docs/node-behaviour.md §6), which this table knows nothing about.
    /// Returns the classification change, if any.
    @discardableResult
    public mutating func recordSuccess(_ id: NodeID, rtt: Duration?, now: Tick) -> HealthTransition? {
        let old = health(of: id)
        upsert(id, now: now) { record in
            record.lastSuccess = now
            record.failCount = 0
            record.totalAttempts &+= 1
            record.nextRetryAt = nil
            if let rtt, rtt > .zero { record.rtt = rtt }
        }
        return transition(of: id, from: old)
    }

    /// An outbound RPC to `id` failed on the network (timeout, invalid or unexpected reply);
    /// keyed by the NodeID the dialled address maps to. Never call it for local causes
    /// (cancellation, shutdown, local send errors: docs/deviations.md §3). Extends the
    /// failure streak and sets the back-off `backoff(afterConsecutiveFailures:)`.
    /// Returns the classification change, if any (e.g. Good → Bad on the second failure).
    @discardableResult
    public mutating func recordFailure(_ id: NodeID, now: Tick) -> HealthTransition? {
        let old = health(of: id)
        upsert(id, now: now) { record in
            record.lastFailure = now
            record.failCount += 1
            record.totalAttempts &+= 1
            record.nextRetryAt = now + Self.backoff(afterConsecutiveFailures: record.failCount)
        }
        return transition(of: id, from: old)
    }

    /// A dedicated health-probe PING to `id` failed, after `recordFailure` was already applied
    /// for it. Takes back one failure (so probes alone never make a peer Bad) and halves the
    /// back-off still to run, clearing it when already due. No record → nothing happens.
    /// Like `recordFailure`, only for network failures (docs/deviations.md §3).
    /// Returns the classification change, if any.
    @discardableResult
    public mutating func recordProbeFailure(_ id: NodeID, now: Tick) -> HealthTransition? {
        let old = health(of: id)
        let existed = records.modify(id, touch: true) { packed -> Bool in
            packed.update { record in
                if record.failCount > 0 { record.failCount -= 1 }
                if let retryAt = record.nextRetryAt {
                    let remaining = retryAt.nanoseconds &- now.nanoseconds
                    record.nextRetryAt = remaining <= 0 ? nil : Tick(nanoseconds: now.nanoseconds &+ remaining / 2)
                }
                record.lastTouched = now
            }
            return true
        }
        guard existed != nil else { return nil }
        return transition(of: id, from: old)
    }

    /// `recordFailure` followed by `recordProbeFailure` as one step, for a caller that sees
    /// the failed health probe in one place. Returns only the net classification change, so a
    /// peer with one earlier failure does not flap Good → Bad → Good in published events.
    @discardableResult
    public mutating func recordFailedHealthProbe(_ id: NodeID, now: Tick) -> HealthTransition? {
        let old = health(of: id)
        recordFailure(id, now: now)
        recordProbeFailure(id, now: now)
        return transition(of: id, from: old)
    }

    // MARK: - Queries

    /// No record → Unknown; `badFailureThreshold` consecutive failures → Bad; a success ever →
    /// Good; otherwise Unknown.
    public func health(of id: NodeID) -> PeerHealth {
        records.value(for: id)?.health ?? .unknown
    }

    /// Advisory contact gate used by replication (the query engine uses health tracks
    /// instead): true with no record, no back-off, or once `now` is strictly after the
    /// back-off's end.
    public func allowContact(_ id: NodeID, now: Tick) -> Bool {
        guard let retryAt = records.value(for: id)?.nextRetryTick else { return true }
        return now > retryAt
    }

    /// The last positive RTT measured by a successful RPC; failures never clear it.
    public func rtt(of id: NodeID) -> Duration? {
        records.value(for: id)?.measuredRTT
    }

    /// Ordering data for the query engine's Bad track: older failures and fewer attempts
    /// first. `(nil, 0)` without a record.
    public func sortKey(of id: NodeID) -> (lastFailure: Tick?, totalAttempts: UInt64) {
        guard let record = records.value(for: id) else { return (nil, 0) }
        return (record.lastFailureTick, record.attempts)
    }

    /// Everything remembered about `id`, or nil.
    public func snapshot(of id: NodeID) -> PeerHealthRecord? {
        records.value(for: id)?.record
    }

    // MARK: - Bounding

    /// Forgets peers with no recorded outcome for more than `entryTTL` before `now`.
    /// Walks from the least recently touched entry and stops at the first one still fresh,
    /// so it costs O(removed + 1). Returns how many were forgotten. Forgetting publishes no
    /// transition: the peer is simply Unknown until contacted again.
    @discardableResult
    public mutating func prune(now: Tick) -> Int {
        let cutoff = now - Self.entryTTL
        let removed = records.removeOldest(while: { _, record in record.lastTouchedTick < cutoff })
        if removed > 0 { classChanges &+= 1 }
        return removed
    }

    // MARK: - Helpers

    /// Applies `update` to the record for `id`, creating it if needed (evicting the least
    /// recently touched record when full), and marks it touched at `now`.
    private mutating func upsert(_ id: NodeID, now: Tick, _ update: (inout PeerHealthRecord) -> Void) {
        let existed = records.modify(id, touch: true) { packed -> Bool in
            packed.update { record in
                update(&record)
                record.lastTouched = now
            }
            return true
        }
        guard existed == nil else { return }
        if records.count >= maxEntries {
            records.removeOldest()
            classChanges &+= 1
        }
        var record = PeerHealthRecord(lastTouched: now)
        update(&record)
        records.setNewest(PackedHealthRecord(record), for: id)
    }

    private mutating func transition(of id: NodeID, from old: PeerHealth) -> HealthTransition? {
        let new = health(of: id)
        guard new != old else { return nil }
        classChanges &+= 1
        return HealthTransition(id: id, old: old, new: new)
    }
}
