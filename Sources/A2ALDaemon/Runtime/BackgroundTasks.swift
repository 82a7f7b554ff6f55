import A2ALThreads

/// The daemon's long-running tasks, cancelled and awaited together at shutdown.
final class BackgroundTasks: Sendable {
    private struct State {
        var tasks: [Task<Void, Never>] = []
        var shuttingDown = false
    }
    private let state = SleepingLock(State())

    func spawn(_ body: @escaping @Sendable () async -> Void) {
        let task = Task { await body() }
        let keep = state.withLock { s -> Bool in
            guard !s.shuttingDown else { return false }
            s.tasks.append(task)
            return true
        }
        if !keep { task.cancel() }
    }

    /// True the first time only, so shutdown runs once.
    func beginShutdown() -> Bool {
        state.withLock { s in
            guard !s.shuttingDown else { return false }
            s.shuttingDown = true
            return true
        }
    }

    func cancelAll() async {
        let tasks = state.withLock { s -> [Task<Void, Never>] in
            defer { s.tasks = [] }
            return s.tasks
        }
        for t in tasks { t.cancel() }
        for t in tasks { await t.value }
    }
}
