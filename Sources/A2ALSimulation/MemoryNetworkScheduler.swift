#if canImport(Glibc)
import Glibc
#endif
import A2ALDHT
import Synchronization

/// The receive callback of a transport.
typealias DatagramHandler = @Sendable (_ datagram: [UInt8], _ from: PeerAddress) -> Void

/// The engine behind `MemoryNetwork`: the registry of names, the delivery queue, and the single
/// scheduler task that hands due datagrams to their receivers.
///
/// The scheduler task holds this object (not the `MemoryNetwork`), so the network's `deinit` can
/// shut it down. Everything mutable lives in one `Mutex`; handlers are called outside it.
final class MemoryNetworkScheduler: Sendable {
    /// What a waiter in `waitUntilQuiet` waits for.
    enum QuietCondition: Sendable {
        /// Nothing due at the clock's current time.
        case nothingDue
        /// Nothing in flight at all.
        case empty
    }

    /// A registered name. The id tells a closed transport from a later one that took its name.
    private struct Registration {
        let id: UInt64
        var handler: DatagramHandler?
    }

    /// What the scheduler task is doing, as far as senders and waiters need to know.
    private enum Phase: Equatable {
        /// Between decisions (just spawned, or just finished a pass).
        case running
        /// Waiting for the first send into an empty queue.
        case idle
        /// Sleeping on the clock until the earliest deadline.
        case sleeping(until: Tick)
        /// Calling handlers for a batch of due datagrams.
        case delivering
    }

    private struct QuietWaiter {
        let condition: QuietCondition
        let continuation: CheckedContinuation<Void, Never>
    }

    /// One datagram resolved to its receiver, ready to hand over outside the lock.
    private struct Delivery: Sendable {
        let handler: DatagramHandler
        let datagram: [UInt8]
        let from: PeerAddress
        let to: String
    }

    /// Batches at least this large are delivered on parallel lanes (one receiver always on the
    /// same lane, so its datagrams keep their order); smaller ones inline, which keeps tests
    /// deterministic and cheap.
    static let parallelDeliveryThreshold = 32
    /// Lanes used for large batches: receivers verify and sign in their handlers, so one lane
    /// per core is what lets a many-node simulation use the machine.
    static let deliveryLanes = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    private struct State {
        var config: MemoryNetwork.Config
        var rng: SplitMix64
        var queue = ScheduledDatagramQueue()
        var nextSequence: UInt64 = 0
        var registry: [String: Registration] = [:]
        var nextRegistrationID: UInt64 = 0
        var blocked: Set<NamePair> = []
        var stats = MemoryNetwork.Stats()
        /// Datagrams lost to `lossRate` that were sent by or to each name (a lost datagram
        /// counts for both ends), so a run can tell which of its exchanges met a loss.
        var lostInvolving: [String: UInt64] = [:]
        var phase = Phase.running
        /// Bumped whenever the scheduler task is replaced; an older task exits at its next step.
        var generation: UInt64 = 0
        var loopTask: Task<Void, Never>?
        var idleContinuation: CheckedContinuation<Void, Never>?
        /// `close()` calls waiting for the current delivery pass to end.
        var passWaiters: [CheckedContinuation<Void, Never>] = []
        var quietWaiters: [QuietWaiter] = []
        var isShutDown = false

        init(config: MemoryNetwork.Config) {
            self.config = config
            rng = SplitMix64(seed: config.seed ?? UInt64.random(in: .min ... .max))
        }

        func isQuiet(_ condition: QuietCondition, now: Tick) -> Bool {
            if phase == .delivering { return false }
            switch condition {
            case .empty: return queue.isEmpty
            case .nothingDue: return queue.earliestDeadline.map { $0 > now } ?? true
            }
        }

        /// Removes and returns the waiters whose condition now holds.
        mutating func takeSatisfiedWaiters(now: Tick) -> [CheckedContinuation<Void, Never>] {
            guard !quietWaiters.isEmpty else { return [] }
            var satisfied: [CheckedContinuation<Void, Never>] = []
            var remaining: [QuietWaiter] = []
            for waiter in quietWaiters {
                if isQuiet(waiter.condition, now: now) {
                    satisfied.append(waiter.continuation)
                } else {
                    remaining.append(waiter)
                }
            }
            quietWaiters = remaining
            return satisfied
        }
    }

    private enum Step {
        case exit
        case idle
        case sleep(until: Tick)
        case deliver
    }

    let clock: any NodeClock
    private let state: Mutex<State>

    init(clock: any NodeClock, config: MemoryNetwork.Config) {
        self.clock = clock
        state = Mutex(State(config: config))
    }

    // MARK: Lifecycle

    func start() {
        state.withLock { s in _ = replaceLoopTask(&s) }
    }

    /// Stops the scheduler task, discards whatever is in flight and releases every waiter.
    func shutDown() {
        let (task, continuations) = state.withLock { s -> (Task<Void, Never>?, [CheckedContinuation<Void, Never>]) in
            s.isShutDown = true
            s.generation &+= 1
            s.stats.droppedUnreachable &+= UInt64(s.queue.removeAll())
            s.registry.removeAll()
            var all = s.passWaiters + s.quietWaiters.map(\.continuation)
            if let idle = s.idleContinuation { all.append(idle) }
            s.passWaiters = []
            s.quietWaiters = []
            s.idleContinuation = nil
            let task = s.loopTask
            s.loopTask = nil
            return (task, all)
        }
        task?.cancel()
        for c in continuations { c.resume() }
    }

    /// Starts a new scheduler task and returns the old one, which the caller cancels outside the
    /// lock (cancelling wakes its clock sleep; it then sees the new generation and exits).
    private func replaceLoopTask(_ s: inout State) -> Task<Void, Never>? {
        s.generation &+= 1
        let generation = s.generation
        let old = s.loopTask
        s.phase = .running
        s.loopTask = Task.detached { [self] in await self.run(generation: generation) }
        return old
    }

    // MARK: Registry

    func register(name: String) throws(MemoryNetworkError) -> UInt64 {
        try state.withLock { s throws(MemoryNetworkError) -> UInt64 in
            guard s.registry[name] == nil else { throw .nameInUse(name) }
            s.nextRegistrationID &+= 1
            s.registry[name] = Registration(id: s.nextRegistrationID, handler: nil)
            return s.nextRegistrationID
        }
    }

    enum HandlerInstallResult { case installed, alreadyStarted, closed }

    func installHandler(name: String, registration: UInt64, _ handler: @escaping DatagramHandler) -> HandlerInstallResult {
        state.withLock { s in
            guard var entry = s.registry[name], entry.id == registration else { return .closed }
            guard entry.handler == nil else { return .alreadyStarted }
            entry.handler = handler
            s.registry[name] = entry
            return .installed
        }
    }

    /// Forgets the name; returns after any delivery pass in progress has finished, so no
    /// datagram reaches the handler once this returns.
    func unregister(name: String, registration: UInt64) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let mustWait = state.withLock { s -> Bool in
                if s.registry[name]?.id == registration { s.registry[name] = nil }
                guard s.phase == .delivering else { return false }
                s.passWaiters.append(c)
                return true
            }
            if !mustWait { c.resume() }
        }
    }

    // MARK: Configuration and partitions

    var config: MemoryNetwork.Config { state.withLock { $0.config } }

    func setConfig(_ config: MemoryNetwork.Config) {
        state.withLock { s in
            if let seed = config.seed, seed != s.config.seed { s.rng = SplitMix64(seed: seed) }
            s.config = config
        }
    }

    func setBlocked(_ pair: NamePair, _ blocked: Bool) {
        state.withLock { s in
            if blocked { s.blocked.insert(pair) } else { s.blocked.remove(pair) }
        }
    }

    func unblockAll() { state.withLock { $0.blocked.removeAll() } }

    var stats: MemoryNetwork.Stats {
        state.withLock { s in
            var stats = s.stats
            stats.queued = UInt64(s.queue.count)
            return stats
        }
    }

    func lost(involving name: String) -> UInt64 { state.withLock { $0.lostInvolving[name] ?? 0 } }

    // MARK: Sending

    /// Applies loss and delay, then queues the datagram. Never calls a handler.
    func enqueue(_ datagram: [UInt8], from: String, sender: PeerAddress, to: String) {
        let now = clock.now()
        let (wakeIdle, cancelOld) = state.withLock { s -> (CheckedContinuation<Void, Never>?, Task<Void, Never>?) in
            guard !s.isShutDown else { return (nil, nil) }
            s.stats.sent &+= 1
            let config = s.config
            if config.lossRate > 0, s.rng.nextUnitInterval() < config.lossRate {
                s.stats.dropped &+= 1
                s.lostInvolving[from, default: 0] &+= 1
                s.lostInvolving[to, default: 0] &+= 1
                return (nil, nil)
            }
            var delay = config.oneWayLatency.nanosecondsClamped
            let jitter = config.jitter.nanosecondsClamped
            if jitter > 0 { delay &+= Int64(s.rng.next(upTo: UInt64(jitter))) }
            let deliverAt = Tick(nanoseconds: now.nanoseconds &+ delay)
            s.nextSequence &+= 1
            s.queue.push(ScheduledDatagram(deliverAt: deliverAt, sequence: s.nextSequence,
                                           datagram: datagram, from: from, to: to, senderAddress: sender))
            switch s.phase {
            case .idle:
                let idle = s.idleContinuation
                s.idleContinuation = nil
                return (idle, nil)
            case .sleeping(let until) where deliverAt < until:
                // The scheduler sleeps past this datagram's deadline; only cancelling its sleep
                // can wake it, and a cancelled task stays cancelled, so a fresh task takes over.
                return (nil, replaceLoopTask(&s))
            default:
                return (nil, nil)
            }
        }
        wakeIdle?.resume()
        cancelOld?.cancel()
    }

    // MARK: Waiting

    func waitUntilQuiet(_ condition: QuietCondition) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let quiet = state.withLock { s -> Bool in
                if s.isShutDown || s.isQuiet(condition, now: clock.now()) { return true }
                s.quietWaiters.append(QuietWaiter(condition: condition, continuation: c))
                return false
            }
            if quiet { c.resume() }
        }
    }

    // MARK: The scheduler task

    private func run(generation: UInt64) async {
        var due: [ScheduledDatagram] = []
        var deliveries: [Delivery] = []
        while true {
            let (step, satisfied) = state.withLock { s -> (Step, [CheckedContinuation<Void, Never>]) in
                guard !s.isShutDown, s.generation == generation else { return (.exit, []) }
                // Read the clock under the lock so a waiter registered after an `advance` is
                // never judged against the time before it.
                let now = clock.now()
                guard let earliest = s.queue.earliestDeadline else {
                    s.phase = .idle
                    return (.idle, s.takeSatisfiedWaiters(now: now))
                }
                if earliest > now {
                    s.phase = .sleeping(until: earliest)
                    return (.sleep(until: earliest), s.takeSatisfiedWaiters(now: now))
                }
                s.phase = .delivering
                s.queue.popDue(now: now, into: &due)
                resolve(due, into: &deliveries, state: &s)
                due.removeAll(keepingCapacity: true)
                return (.deliver, [])
            }
            for c in satisfied { c.resume() }

            switch step {
            case .exit:
                return
            case .idle:
                await waitForFirstSend(generation: generation)
            case .sleep(let deadline):
                // Checked first because a clock may not notice a cancellation that happened
                // before its sleep began.
                if Task.isCancelled { return }
                try? await clock.sleep(until: deadline)
                if Task.isCancelled { return }
            case .deliver:
                await Self.deliver(deliveries)
                deliveries.removeAll(keepingCapacity: true)
                let closers = state.withLock { s -> [CheckedContinuation<Void, Never>] in
                    s.phase = .running
                    let waiting = s.passWaiters
                    s.passWaiters = []
                    return waiting
                }
                for c in closers { c.resume() }
                // Zero-latency ping-pong would otherwise keep this task busy forever; one yield
                // per pass (not per datagram) lets waiters and other tasks run.
                await Task.yield()
            }
        }
    }

    /// Runs the receivers' handlers: inline for small batches, else on parallel lanes keyed by
    /// receiver (per-receiver order preserved).
    private static func deliver(_ batch: [Delivery]) async {
        let lanes = deliveryLanes
        guard batch.count >= parallelDeliveryThreshold, lanes > 1 else {
            for d in batch { d.handler(d.datagram, d.from) }
            return
        }
        var byLane = [[Delivery]](repeating: [], count: lanes)
        for d in batch { byLane[abs(d.to.hashValue % lanes)].append(d) }
        await withTaskGroup(of: Void.self) { group in
            for lane in byLane where !lane.isEmpty {
                group.addTask {
                    for d in lane { d.handler(d.datagram, d.from) }
                }
            }
        }
    }

    /// Matches each due datagram to its receiver and counts the ones that cannot be delivered.
    private func resolve(_ due: [ScheduledDatagram], into deliveries: inout [Delivery], state s: inout State) {
        for item in due {
            guard let handler = s.registry[item.to]?.handler else {
                s.stats.droppedUnreachable &+= 1
                continue
            }
            if !s.blocked.isEmpty, s.blocked.contains(NamePair(item.from, item.to)) {
                s.stats.droppedPartitioned &+= 1
                continue
            }
            s.stats.delivered &+= 1
            deliveries.append(Delivery(handler: handler, datagram: item.datagram, from: item.senderAddress, to: item.to))
        }
    }

    private func waitForFirstSend(generation: UInt64) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { s -> Bool in
                if s.isShutDown || s.generation != generation || !s.queue.isEmpty { return true }
                s.idleContinuation = c
                return false
            }
            if resumeNow { c.resume() }
        }
    }
}
