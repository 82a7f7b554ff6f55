import A2ALDHT
import A2ALThreads
import Synchronization

extension UDPTransport {
    /// Counters since the transport was bound, and the socket's state.
    public struct Stats: Sendable, Equatable {
        /// Datagrams handed to the start handler.
        public var received: UInt64 = 0
        /// Threads reading the socket and handing what they read to the handler (0 before
        /// `start` and after `close`).
        public var inboundWorkers: Int = 0
        /// Datagrams each of those threads handed to the handler, kept after `close`; `received`
        /// is their sum.
        public var deliveredPerWorker: [UInt64] = []
        /// Batches those datagrams were handed over in (`received / batches` is the mean batch:
        /// near 1 when idle, up to `ReaderThread.maxBatch` under load).
        public var batches: UInt64 = 0
        /// Inbound datagrams over 1200 bytes, dropped whole (never truncated and passed on).
        public var oversizeDropped: UInt64 = 0
        /// Inbound datagrams without a usable source address, dropped.
        public var unreadableDropped: UInt64 = 0
        /// Datagrams the kernel accepted for sending.
        public var sent: UInt64 = 0
        /// Datagrams the kernel refused (`send` threw for each; the socket stays open).
        public var sendErrors: UInt64 = 0
        /// The last refusal: errno name and destination.
        public var lastSendError: String?
        /// Errors reported while reading (for example ICMP-induced errors); reading continues.
        public var receiveErrors: UInt64 = 0
        /// Datagrams the kernel dropped before we read them (receive queue full); nil where the
        /// platform does not say.
        public var kernelDrops: UInt64?
        /// Times reading was re-established after the readers lost their descriptors.
        public var rebinds: UInt64 = 0
        public var state: TransportStatistics.SocketState = .up
        /// Why the reader last died or could not be re-established.
        public var lastError: String?

        public init() {}

        /// The transport-neutral view `node.stats` reports.
        public var statistics: TransportStatistics {
            var t = TransportStatistics()
            t.state = state
            t.rebinds = rebinds
            t.lastError = lastError
            // No queue between the socket and the handler: the kernel's receive buffer is the
            // only one, and what overflows it is `kernelDrops`. `droppedQueueFull` stays 0.
            t.datagramsReceived = received + oversizeDropped + unreadableDropped
            t.droppedKernel = kernelDrops
            t.droppedOversize = oversizeDropped
            t.droppedUnreadable = unreadableDropped
            t.receiveErrors = receiveErrors
            t.datagramsSent = sent
            t.sendErrors = sendErrors
            t.lastSendError = lastSendError
            return t
        }
    }

    /// A change of the socket's state, for subscribers (the daemon's `transport_state` event).
    public struct StateChange: Sendable, Equatable {
        public var state: TransportStatistics.SocketState
        public var rebinds: UInt64
        /// Why the reader died, or why re-establishing it failed; nil when back up.
        public var error: String?

        public init(state: TransportStatistics.SocketState, rebinds: UInt64, error: String?) {
            self.state = state
            self.rebinds = rebinds
            self.error = error
        }
    }
}

/// The live counters, shared by the transport (send side) and its reader threads (receive
/// side). Atomics because all touch them from different threads.
final class UDPCounters: Sendable {
    let oversizeDropped = Atomic<UInt64>(0)
    let unreadableDropped = Atomic<UInt64>(0)
    let sent = Atomic<UInt64>(0)
    let sendErrors = Atomic<UInt64>(0)
    let receiveErrors = Atomic<UInt64>(0)
    let lastSendError = SleepingLock<String?>(nil)
    let lastReceiveError = SleepingLock<String?>(nil)

    var snapshot: UDPTransport.Stats {
        var s = UDPTransport.Stats()
        s.oversizeDropped = oversizeDropped.load(ordering: .relaxed)
        s.unreadableDropped = unreadableDropped.load(ordering: .relaxed)
        s.sent = sent.load(ordering: .relaxed)
        s.sendErrors = sendErrors.load(ordering: .relaxed)
        s.lastSendError = lastSendError.withLock { $0 }
        s.receiveErrors = receiveErrors.load(ordering: .relaxed)
        return s
    }
}
