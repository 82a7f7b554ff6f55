import A2ALDHT
import A2ALProtocol

/// Why a `MemoryNetwork` refused to create a transport.
public enum MemoryNetworkError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Another open transport already answers to this name.
    case nameInUse(String)
    /// `start` was called a second time on the same transport.
    case alreadyStarted(String)

    public var description: String {
        switch self {
        case .nameInUse(let name): return "memory network: name \(name) is already in use"
        case .alreadyStarted(let name): return "memory network: transport \(name) already started"
        }
    }
}

/// An in-process datagram network for tests and the many-node simulator.
///
/// Every `MemoryTransport` made here is reachable by its name. Datagrams travel through a single
/// delivery queue per network, ordered by due time and then by send order, and one scheduler task
/// sleeps on the injected clock until the earliest one is due. With a `ManualClock`, advancing the
/// clock and then awaiting `settle()` delivers exactly the datagrams that became due, in a
/// reproducible order; with `SystemClock`, a datagram costs a heap entry, not a task.
///
/// Delivery is always asynchronous: `send` never calls the receiver's handler, even with zero
/// latency, so a handler that replies from inside its own delivery cannot re-enter itself.
/// Handlers run one at a time on the scheduler task and must not block.
///
/// Like UDP, a send to a name nobody answers to succeeds; the datagram is dropped on arrival and
/// counted in `stats.droppedUnreachable`. (A send error would count as a local failure, which must
/// not affect a peer's health; a departed peer has to look like silence.)
public final class MemoryNetwork: Sendable {
    /// Link behaviour applied to every datagram at send time.
    public struct Config: Sendable, Equatable {
        /// Fixed delay between send and delivery.
        public var oneWayLatency: Duration
        /// Extra delay drawn uniformly from 0...jitter per datagram (so datagrams can overtake).
        public var jitter: Duration
        /// Probability in 0...1 that a datagram is silently lost.
        public var lossRate: Double
        /// Seed of the loss/jitter generator; nil picks a random one. Same seed and same sends
        /// give the same losses and delays.
        public var seed: UInt64?

        public init(oneWayLatency: Duration = .zero, jitter: Duration = .zero, lossRate: Double = 0,
                    seed: UInt64? = nil) {
            self.oneWayLatency = oneWayLatency
            self.jitter = jitter
            self.lossRate = lossRate
            self.seed = seed
        }

        /// Negative durations become zero and the loss rate is clamped to 0...1.
        var sanitized: Config {
            Config(oneWayLatency: max(oneWayLatency, .zero), jitter: max(jitter, .zero),
                   lossRate: lossRate.isNaN ? 0 : min(max(lossRate, 0), 1), seed: seed)
        }
    }

    /// Counters since the network was created. At any moment
    /// `sent == delivered + dropped + droppedUnreachable + droppedPartitioned + queued`.
    public struct Stats: Sendable, Equatable {
        /// Datagrams accepted by `send` (size and address checks passed).
        public var sent: UInt64 = 0
        /// Datagrams handed to a receiver's handler.
        public var delivered: UInt64 = 0
        /// Datagrams lost to the simulated `lossRate`.
        public var dropped: UInt64 = 0
        /// Datagrams that arrived for a name that is unknown, closed, or not yet started.
        public var droppedUnreachable: UInt64 = 0
        /// Datagrams that arrived across a `block`ed pair of names.
        public var droppedPartitioned: UInt64 = 0
        /// Datagrams still in flight.
        public var queued: UInt64 = 0

        public init() {}
    }

    /// The largest datagram a memory transport accepts, the same as UDP's.
    public static let maxDatagramSize = ProtocolConstants.maxDatagramSize

    let scheduler: MemoryNetworkScheduler

    public init(clock: any NodeClock, config: Config = .init()) {
        scheduler = MemoryNetworkScheduler(clock: clock, config: config.sanitized)
        scheduler.start()
    }

    deinit { scheduler.shutDown() }

    /// A new transport answering to `name`. Names are unique among open transports; a closed
    /// transport's name may be taken again (a restarted node at the same address).
    public func makeTransport(name: String) throws(MemoryNetworkError) -> MemoryTransport {
        let registration = try scheduler.register(name: name)
        return MemoryTransport(network: self, name: name, registration: registration)
    }

    /// A new transport that looks like a UDP socket at `endpoint`: peers see it as `.udp(endpoint)`
    /// and can reach it through contacts carrying that IP:port.
    public func makeTransport(endpoint: WireEndpoint) throws(MemoryNetworkError) -> MemoryTransport {
        try makeTransport(name: PeerAddress.udp(endpoint).description)
    }

    /// The current link behaviour.
    public var config: Config { scheduler.config }

    /// Changes the link behaviour for datagrams sent from now on (those in flight keep their
    /// deadlines). A non-nil seed that differs from the current one restarts the generator.
    public func setConfig(_ config: Config) { scheduler.setConfig(config.sanitized) }

    /// Drops every datagram between `a` and `b`, in both directions, including those already in
    /// flight, until `unblock(a, b)`.
    public func block(_ a: String, _ b: String) { scheduler.setBlocked(NamePair(a, b), true) }

    /// Heals a partition made by `block(a, b)`.
    public func unblock(_ a: String, _ b: String) { scheduler.setBlocked(NamePair(a, b), false) }

    /// Heals every partition.
    public func unblockAll() { scheduler.unblockAll() }

    public var stats: Stats { scheduler.stats }

    /// Datagrams lost to the link's `lossRate` that `name` sent or was sent, since the network
    /// was created (a transport's name; `PeerAddress.udp(endpoint).description` for one made from
    /// an endpoint).
    public func lost(involving name: String) -> UInt64 { scheduler.lost(involving: name) }

    /// Returns once no datagram is due: everything whose deadline is at or before the clock's
    /// current time has been delivered or dropped and no handler is running. The way tests on a
    /// `ManualClock` wait after `advance(by:)`.
    public func settle() async { await scheduler.waitUntilQuiet(.nothingDue) }

    /// Returns once nothing is in flight at all. For real-clock tests; on a `ManualClock` it only
    /// returns if the clock is advanced past the last deadline.
    public func drain() async { await scheduler.waitUntilQuiet(.empty) }
}

/// An unordered pair of names, the key of a partition.
struct NamePair: Hashable, Sendable {
    let low: String
    let high: String

    init(_ a: String, _ b: String) {
        if a <= b { (low, high) = (a, b) } else { (low, high) = (b, a) }
    }
}
