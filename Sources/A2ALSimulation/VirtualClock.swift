import A2ALDHT
import HeapModule
import Synchronization

/// The clock of a discrete-event simulation (docs/benchmarks.md, "Virtual clock"): time stands still while
/// anything can run and jumps to the earliest sleeper's deadline when nothing can. Whoever
/// knows that nothing can run (`DiscreteEventExecutor`) calls `advanceToNextDeadline`; the
/// clock itself only keeps the sleepers in deadline order. Unlike `ManualClock`, cancelling a
/// sleeper costs O(1) (it is forgotten, and its heap entry skipped when reached), because
/// nodes cancel a timeout for nearly every answered request.
public final class VirtualClock: NodeClock, Sendable {
    private struct Entry: Comparable {
        let deadline: Tick
        let id: UInt64
        static func < (a: Entry, b: Entry) -> Bool { a.deadline != b.deadline ? a.deadline < b.deadline : a.id < b.id }
    }

    private struct State {
        var now = Tick.zero
        var nextID: UInt64 = 0
        var heap = Heap<Entry>()
        /// Live sleepers by id; a heap entry whose id is missing here was cancelled.
        var waiting: [UInt64: CheckedContinuation<Void, any Error>] = [:]
        var advances: UInt64 = 0
    }

    private let state = Mutex(State())
    private let unixEpoch: UInt64

    public init(unixEpoch: UInt64 = 1_700_000_000) { self.unixEpoch = unixEpoch }

    public func now() -> Tick { state.withLock { $0.now } }

    public func unixSeconds() -> UInt64 { unixEpoch + UInt64(max(0, now().nanoseconds / 1_000_000_000)) }

    /// Tasks sleeping on this clock now.
    public var sleeperCount: Int { state.withLock { $0.waiting.count } }

    /// How many times time has moved (each a moment when the whole simulation was idle).
    public var advanceCount: UInt64 { state.withLock { $0.advances } }

    public func sleep(until deadline: Tick) async throws {
        try Task.checkCancellation()
        let id = state.withLock { s -> UInt64 in
            s.nextID &+= 1
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                enum Outcome { case wait, due, cancelled }
                // Decided under the lock: a cancellation either came first (seen here) or will
                // find the sleeper registered in its handler.
                let outcome = state.withLock { s -> Outcome in
                    if Task.isCancelled { return .cancelled }
                    if deadline <= s.now { return .due }
                    s.waiting[id] = c
                    s.heap.insert(Entry(deadline: deadline, id: id))
                    return .wait
                }
                switch outcome {
                case .wait: break
                case .due: c.resume()
                case .cancelled: c.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            let cancelled = state.withLock { $0.waiting.removeValue(forKey: id) }
            cancelled?.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward by `duration` and wakes, in deadline order, every sleeper whose
    /// deadline is reached: the clock driven by hand, as tests do (`ManualClock`).
    public func advance(by duration: Duration) {
        let due = state.withLock { s -> [CheckedContinuation<Void, any Error>] in
            s.now = s.now + duration
            return Self.takeDue(through: s.now, from: &s).woken
        }
        for c in due { c.resume() }
    }

    /// Moves time to the earliest live deadline (plus up to `resolution`, so sleepers a hair
    /// apart wake together instead of costing one idle round each) and wakes every sleeper due
    /// by then, in deadline order. Returns false, leaving time alone, when nobody sleeps.
    @discardableResult
    public func advanceToNextDeadline(resolution: Duration = .zero) -> Bool {
        let due = state.withLock { s -> [CheckedContinuation<Void, any Error>] in
            // Drop cancelled entries from the top so the earliest deadline is a live one.
            while let top = s.heap.min, s.waiting[top.id] == nil { s.heap.removeMin() }
            guard let first = s.heap.min else { return [] }
            let (woken, latest) = Self.takeDue(through: first.deadline + resolution, from: &s)
            if let latest, latest > s.now { s.now = latest }
            s.advances &+= 1
            return woken
        }
        for c in due { c.resume() }
        return !due.isEmpty
    }

    /// Removes every sleeper due by `horizon` from the heap, in deadline order, and returns the
    /// live ones' continuations with the latest of their deadlines (cancelled entries are skipped).
    private static func takeDue(through horizon: Tick, from s: inout State)
        -> (woken: [CheckedContinuation<Void, any Error>], latest: Tick?) {
        var woken: [CheckedContinuation<Void, any Error>] = []
        var latest: Tick?
        while let top = s.heap.min, top.deadline <= horizon {
            s.heap.removeMin()
            guard let c = s.waiting.removeValue(forKey: top.id) else { continue }
            woken.append(c)
            latest = top.deadline
        }
        return (woken, latest)
    }
}
