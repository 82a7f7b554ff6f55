import A2ALCore
import A2ALProtocol

/// The DHT part of /debug/stats (docs/node-behaviour.md §9.1), plus our drop counters.
public struct DebugStats: Sendable, Equatable {
    public var rxPacketsVerified: UInt64
    public var txPackets: UInt64
    public var rpcCompleted: UInt64
    public var totalPeers: Int
    public var reach1h: Int
    public var reach24h: Int
    public var reach7d: Int
    public var estimatedNetworkSize: Int
    public var estimateConfidence: Double
    public var verifiedPeers1h: Int
    public var uniqueNodesSinceStart: UInt64
    public var droppedMalformed: UInt64
    public var droppedRateLimited: UInt64
    public var droppedUnsolicited: UInt64
    public var droppedUnknownType: UInt64
    /// Every datagram delivered to the node, and those refused by the global inbound limit.
    /// `rxDatagrams` = `rxPacketsVerified` + `droppedMalformed` + `droppedUnknownType` +
    /// `droppedRateLimited` + `droppedGlobalRateLimited`.
    public var rxDatagrams: UInt64 = 0
    public var droppedGlobalRateLimited: UInt64 = 0
    /// Contacts in peers' answers refused as junk (docs/security.md).
    public var droppedJunkContacts: UInt64
    /// Replies that could not be sent (too large, or the socket refused them).
    public var replySendFailures: UInt64
    /// Replicas caught withholding a record they acknowledged, and the peers banned for it now
    /// (docs/security.md, "Peers that drop records").
    public var withholdingReplicas: UInt64 = 0
    public var withholdingBans: Int = 0
    /// Lookups whose closest answers were a ring of ground identities, records stored outside
    /// such rings (acknowledged), record searches answered from outside one, and further rings
    /// found in the shells outside one (docs/routing.md §3.14).
    public var eclipseRings: UInt64 = 0
    public var eclipseStoresPastRing: UInt64 = 0
    public var eclipseRecordsPastRing: UInt64 = 0
    public var eclipseShellRings: UInt64 = 0
    /// One-shot push subscriptions (docs/protocol.md): drops, pushes both ways, registrations.
    public var push: PushStats
    public var storeKeys: Int
    public var storeRecords: Int
    /// Record bytes held, STOREs refused for their source's quota, keys evicted for bytes.
    public var storeBytes: Int = 0
    public var storeRefusedOverQuota: UInt64 = 0
    public var storeEvictedForBytes: UInt64 = 0
}

/// Counters and table sizes of one-shot push subscriptions.
public struct PushStats: Sendable, Equatable {
    /// Pushes for no subscription of ours, and pushes whose record did not verify at its key.
    public var droppedUnexpected: UInt64
    public var droppedInvalid: UInt64
    /// Valid pushes delivered to the host.
    public var received: UInt64
    /// Pushes we sent to subscribers, and those acknowledged.
    public var sent: UInt64
    public var acknowledged: UInt64
    /// Pushes not sent: the destination was over its rate.
    public var rateLimited: UInt64
    /// Registrations (and renewals) accepted, and refused because the source held its share.
    public var subscriptionsRegistered: UInt64
    public var subscriptionsRefused: UInt64
    /// Subscribers held now, pushes we may accept now, keys the host watches.
    public var subscribers: Int
    public var expectedPushes: Int
    public var watchedKeys: Int
}

extension DHTNode {
    /// The transport's socket state and datagram counters (`node.stats`, `node.info`).
    public var transportStatistics: TransportStatistics { transport.statistics }

    /// The transport's state and rebind count alone, cheaper than `transportStatistics`.
    public var transportLiveness: TransportLiveness { transport.liveness }

    /// Verified packets received and packets sent, per message type (docs/metrics.md).
    public func messageTypeCounts() -> [MessageTypeCount] { counters.byType.snapshot() }

    public func debugStats() -> DebugStats {
        let now = clock.now()
        let unix = clock.unixSeconds()
        let c = counters
        return state.withLock { s in
            let reach = s.seen.reach(nowUnix: unix)
            let (estimate, confidence) = s.routing.estimatedNetworkSizeFiltered(cutoff: now - NodeConstants.verifiedFreshWindow)
            return DebugStats(
                rxPacketsVerified: c.rxVerified.load(ordering: .relaxed), txPackets: c.tx.load(ordering: .relaxed),
                rpcCompleted: c.rpcCompleted.load(ordering: .relaxed), totalPeers: s.routing.count,
                reach1h: reach.h1, reach24h: reach.h24, reach7d: reach.d7,
                estimatedNetworkSize: estimate, estimateConfidence: confidence, verifiedPeers1h: reach.h1,
                uniqueNodesSinceStart: s.seen.uniqueSinceStart,
                droppedMalformed: c.droppedMalformed.load(ordering: .relaxed),
                droppedRateLimited: c.droppedRateLimited.load(ordering: .relaxed),
                droppedUnsolicited: c.droppedUnsolicited.load(ordering: .relaxed),
                droppedUnknownType: c.droppedUnknownType.load(ordering: .relaxed),
                rxDatagrams: c.rxDatagrams.load(ordering: .relaxed),
                droppedGlobalRateLimited: c.droppedGlobalRateLimited.load(ordering: .relaxed),
                droppedJunkContacts: c.droppedJunkContacts.load(ordering: .relaxed),
                replySendFailures: c.replySendFailures.load(ordering: .relaxed),
                withholdingReplicas: c.withholdingReplicas.load(ordering: .relaxed),
                withholdingBans: s.routing.bannedForWithholding(now: now).count,
                eclipseRings: c.eclipseRings.load(ordering: .relaxed),
                eclipseStoresPastRing: c.eclipseStoresPastRing.load(ordering: .relaxed),
                eclipseRecordsPastRing: c.eclipseRecordsPastRing.load(ordering: .relaxed),
                eclipseShellRings: c.eclipseShellRings.load(ordering: .relaxed),
                push: PushStats(
                    droppedUnexpected: c.droppedUnexpectedPush.load(ordering: .relaxed),
                    droppedInvalid: c.droppedInvalidPush.load(ordering: .relaxed),
                    received: c.pushesReceived.load(ordering: .relaxed),
                    sent: c.pushesSent.load(ordering: .relaxed),
                    acknowledged: c.pushesAcknowledged.load(ordering: .relaxed),
                    rateLimited: c.pushesRateLimited.load(ordering: .relaxed),
                    subscriptionsRegistered: c.subscriptionsRegistered.load(ordering: .relaxed),
                    subscriptionsRefused: c.subscriptionsRefused.load(ordering: .relaxed),
                    subscribers: s.pushSubscribers.count, expectedPushes: s.pushExpectations.count,
                    watchedKeys: s.watched.count),
                storeKeys: s.store.keyCount, storeRecords: s.store.recordCount, storeBytes: s.store.byteCount,
                storeRefusedOverQuota: s.store.refusedOverQuota, storeEvictedForBytes: s.store.evictedForBytes)
        }
    }

    /// Health class of a peer.
    public func peerHealth(_ id: NodeID) -> PeerHealth { state.withLock { $0.health.health(of: id) } }

    /// Whether replication may contact `id` now (back-off elapsed).
    public func peerAllowContact(_ id: NodeID) -> Bool {
        let now = clock.now()
        return state.withLock { $0.health.allowContact(id, now: now) }
    }

    /// Last successful round-trip time to the node behind `address`.
    public func peerRTT(_ address: PeerAddress) -> Duration? {
        state.withLock { s in s.dial.node(at: address).flatMap { s.health.rtt(of: $0) } }
    }

    /// Network size from bucket densities (all verified entries; falls back to any entries).
    public func estimatedNetworkSize() -> Int { state.withLock { $0.routing.estimatedNetworkSize() } }

    /// Network size from entries verified within `window`, with a confidence in [0, 1].
    public func estimatedNetworkSize(verifiedWithin window: Duration) -> (estimate: Int, confidence: Double) {
        let cutoff = clock.now() - window
        return state.withLock { $0.routing.estimatedNetworkSizeFiltered(cutoff: cutoff) }
    }

    /// Rows for /debug/routing.
    public func debugRoutingRows() -> [DebugPeerRow] {
        let now = clock.now()
        return state.withLock { $0.routing.debugRows(now: now) }
    }

    /// Rows for /debug/store.
    public func debugStoreRows() -> [StoreDebugRow] {
        let unix = clock.unixSeconds()
        return state.withLock { $0.store.debugRows(now: unix) }
    }
}
