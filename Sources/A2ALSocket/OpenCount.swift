import A2ALThreads

/// What the JSON-RPC socket server has open, counted so `stop()` can wait for the last one:
/// its connections (bounded by the connection cap; once stopping it admits nothing, so a
/// connection accepted while the server stops cannot slip past the drain) and its loop threads.
final class OpenCount: Sendable {
    enum Admission: Equatable, Sendable {
        case admitted
        case full
        case stopping
    }

    private struct State {
        var open = 0
        var stopping = false
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let limit: Int
    private let state = SleepingLock(State())

    init(limit: Int) { self.limit = limit }

    /// Counts one more connection unless the server is full or stopping.
    func admit() -> Admission {
        state.withLock { s in
            if s.stopping { return .stopping }
            guard s.open < limit else { return .full }
            s.open += 1
            return .admitted
        }
    }

    /// An admitted connection closed.
    func release() {
        let ready = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.open -= 1
            guard s.open == 0 else { return [] }
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for waiter in ready { waiter.resume() }
    }

    /// Admits nothing from now on.
    func stopAdmitting() {
        state.withLock { $0.stopping = true }
    }

    var count: Int { state.withLock { $0.open } }

    /// Returns once no connection is open, or when the calling task is cancelled.
    func waitUntilEmpty() async {
        let id = state.withLock { s -> Int in
            s.nextWaiter += 1
            return s.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.open == 0 || Task.isCancelled { return true }
                    s.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
