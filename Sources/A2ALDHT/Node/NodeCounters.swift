import A2ALProtocol
import Synchronization

/// Monotonic counters of the node (never reset), readable without the state lock.
final class NodeCounters: Sendable {
    /// Every datagram the transport delivered: it ends up in exactly one of rxVerified or the
    /// dropped* counters below (rate limits, malformed, unknown type).
    let rxDatagrams = Atomic<UInt64>(0)
    /// Datagrams refused by the global inbound limit.
    let droppedGlobalRateLimited = Atomic<UInt64>(0)
    /// Packets that passed verification.
    let rxVerified = Atomic<UInt64>(0)
    /// Datagrams handed to the transport.
    let tx = Atomic<UInt64>(0)
    /// Outbound requests answered.
    let rpcCompleted = Atomic<UInt64>(0)
    /// Inbound datagrams that failed decoding or verification.
    let droppedMalformed = Atomic<UInt64>(0)
    /// Inbound datagrams refused by the per-IP rate limit.
    let droppedRateLimited = Atomic<UInt64>(0)
    /// Verified responses that matched no outstanding request (late, unsolicited, wrong peer).
    let droppedUnsolicited = Atomic<UInt64>(0)
    /// Verified-looking datagrams of a message type we do not know (kept apart from malformed).
    let droppedUnknownType = Atomic<UInt64>(0)
    /// DHT_PUSHes for a subscription we never made (or that expired).
    let droppedUnexpectedPush = Atomic<UInt64>(0)
    /// DHT_PUSHes whose record failed verification or authority at its key.
    let droppedInvalidPush = Atomic<UInt64>(0)
    /// Valid pushes received and delivered.
    let pushesReceived = Atomic<UInt64>(0)
    /// Pushes sent to subscribers, and those acknowledged.
    let pushesSent = Atomic<UInt64>(0)
    let pushesAcknowledged = Atomic<UInt64>(0)
    /// Pushes not sent because the destination was over its rate.
    let pushesRateLimited = Atomic<UInt64>(0)
    /// Subscriptions registered (or refreshed), and refused because the source held its share.
    let subscriptionsRegistered = Atomic<UInt64>(0)
    let subscriptionsRefused = Atomic<UInt64>(0)
    /// Contacts from peers' answers refused as junk (unroutable, our own, loopback from afar).
    let droppedJunkContacts = Atomic<UInt64>(0)
    /// Replies we could not send.
    let replySendFailures = Atomic<UInt64>(0)
    /// Replicas caught withholding a record they acknowledged, each then banned for a while.
    let withholdingReplicas = Atomic<UInt64>(0)
    /// Lookups whose closest answers were a ring of ground identities (docs/routing.md §3.14).
    let eclipseRings = Atomic<UInt64>(0)
    /// Records stored at nodes outside such a ring, acknowledged.
    let eclipseStoresPastRing = Atomic<UInt64>(0)
    /// Record searches the ring left empty that found their record outside it.
    let eclipseRecordsPastRing = Atomic<UInt64>(0)
    /// Further rings found among the nodes outside a ring, in its shells, and kept out.
    let eclipseShellRings = Atomic<UInt64>(0)
    /// `rxVerified` and `tx` split by message type.
    let byType = MessageTypeCounters()

    func bump(_ c: borrowing Atomic<UInt64>) { c.wrappingAdd(1, ordering: .relaxed) }

    /// A datagram of `type` handed to the transport.
    func sent(_ type: MessageType) {
        tx.wrappingAdd(1, ordering: .relaxed)
        byType.sent(type)
    }
}
