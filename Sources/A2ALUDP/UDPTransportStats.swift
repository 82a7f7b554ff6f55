import Synchronization

extension UDPTransport {
    /// Counters since the transport was bound.
    public struct Stats: Sendable, Equatable {
        /// Datagrams handed to the start handler.
        public var received: UInt64 = 0
        /// Inbound datagrams over 1200 bytes, dropped whole (never truncated and passed on).
        public var oversizeDropped: UInt64 = 0
        /// Datagrams accepted by `send` and queued on the socket.
        public var sent: UInt64 = 0
        /// Queued datagrams the operating system then refused (counted, not thrown: `send`
        /// returns before the write happens).
        public var sendErrors: UInt64 = 0
        /// Errors reported while reading (for example ICMP-induced errors); reading continues.
        public var receiveErrors: UInt64 = 0

        public init() {}
    }
}

/// The live counters, shared by the transport (send side) and its channel handler (receive side,
/// on the event loop). Atomics because both sides touch them from different threads.
final class UDPCounters: Sendable {
    let received = Atomic<UInt64>(0)
    let oversizeDropped = Atomic<UInt64>(0)
    let sent = Atomic<UInt64>(0)
    let sendErrors = Atomic<UInt64>(0)
    let receiveErrors = Atomic<UInt64>(0)

    var snapshot: UDPTransport.Stats {
        var s = UDPTransport.Stats()
        s.received = received.load(ordering: .relaxed)
        s.oversizeDropped = oversizeDropped.load(ordering: .relaxed)
        s.sent = sent.load(ordering: .relaxed)
        s.sendErrors = sendErrors.load(ordering: .relaxed)
        s.receiveErrors = receiveErrors.load(ordering: .relaxed)
        return s
    }
}
