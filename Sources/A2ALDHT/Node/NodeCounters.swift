import Synchronization

/// Monotonic counters of the node (never reset), readable without the state lock.
final class NodeCounters: Sendable {
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
    /// Replies we could not send.
    let replySendFailures = Atomic<UInt64>(0)

    func bump(_ c: borrowing Atomic<UInt64>) { c.wrappingAdd(1, ordering: .relaxed) }
}
