import A2ALDHT
import Synchronization

/// A clock that only moves when told to. Sleepers wake, in deadline order, as `advance` passes
/// their deadlines. Unix time moves with it from `unixEpoch`.
public final class ManualClock: NodeClock, Sendable {
    private struct Sleeper {
        let id: UInt64
        let deadline: Tick
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = Tick.zero
        var nextID: UInt64 = 0
        var sleepers: [Sleeper] = []
    }

    private let state = Mutex(State())
    private let unixEpoch: UInt64

    public init(unixEpoch: UInt64 = 1_700_000_000) { self.unixEpoch = unixEpoch }

    public func now() -> Tick { state.withLock { $0.now } }

    public func unixSeconds() -> UInt64 { unixEpoch + UInt64(max(0, now().nanoseconds / 1_000_000_000)) }

    /// Number of tasks currently sleeping on this clock.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    public func sleep(until deadline: Tick) async throws {
        try Task.checkCancellation()
        let id = state.withLock { s -> UInt64 in
            s.nextID += 1
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                // Checked under the lock: a cancellation either happened before (seen here) or
                // will find the registered sleeper in its handler.
                enum Outcome { case wait, due, cancelled }
                let outcome = state.withLock { s -> Outcome in
                    if Task.isCancelled { return .cancelled }
                    if deadline <= s.now { return .due }
                    s.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: c))
                    return .wait
                }
                switch outcome {
                case .wait: break
                case .due: c.resume()
                case .cancelled: c.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            let cancelled = state.withLock { s -> Sleeper? in
                guard let i = s.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return s.sleepers.remove(at: i)
            }
            cancelled?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward by `duration`, waking every sleeper whose deadline is reached.
    public func advance(by duration: Duration) {
        let due = state.withLock { s -> [Sleeper] in
            s.now = s.now + duration
            let now = s.now
            let ready = s.sleepers.filter { $0.deadline <= now }.sorted { $0.deadline < $1.deadline }
            s.sleepers.removeAll { $0.deadline <= now }
            return ready
        }
        for s in due { s.continuation.resume() }
    }
}
