#if canImport(Glibc)
import Glibc
#endif

/// Runs every job of Swift's global concurrent executor on its own worker threads and, whenever
/// none is running and none is queued, moves a `VirtualClock` to its next deadline
/// (docs/benchmarks.md, "Virtual clock"). That makes the clock a discrete-event one: a simulated 10 ms link costs
/// no wall time, and a saturated CPU delays nothing in virtual time, so no request times out
/// because the simulator was busy.
///
/// It takes over the process-wide `swift_task_enqueueGlobal_hook`, so it is for a program that
/// simulates and does nothing else (a2al-sim), never for a test process shared with other tests.
/// Work outside the global executor (the main actor, Dispatch, `Task.sleep` on the real clocks)
/// is invisible to it: code under simulation must sleep on the virtual clock.
public final class DiscreteEventExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: `queue`, `running` and `advancing` are only touched with `lock` held.
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var queue = JobQueue()
    private var running = 0
    private var advancing = false
    private let clock: VirtualClock
    private let resolution: Duration
    private var jobsRun: UInt64 = 0

    /// The installed executor; read by the enqueue hook, which can capture nothing.
    private static let installed = InstalledExecutor()

    private init(clock: VirtualClock, resolution: Duration) {
        self.clock = clock
        self.resolution = resolution
        pthread_mutex_init(lock, nil)
        pthread_cond_init(wake, nil)
    }

    /// Routes the global executor's jobs to `workers` new threads driving `clock`. Returns nil
    /// (and changes nothing) if already installed or if the runtime hook cannot be found.
    public static func install(clock: VirtualClock, workers: Int, resolution: Duration = .zero) -> DiscreteEventExecutor? {
        guard let hook = enqueueGlobalHook() else { return nil }
        let executor = DiscreteEventExecutor(clock: clock, resolution: resolution)
        guard installed.set(executor) else { return nil }
        for _ in 0..<max(1, workers) { executor.spawnWorker() }
        hook.pointee = { job, _ in DiscreteEventExecutor.installed.get()?.push(job) }
        return executor
    }

    /// Jobs run so far (for the report's account of where the time went).
    public var jobCount: UInt64 {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return jobsRun
    }

    public func enqueue(_ job: consuming ExecutorJob) { push(UnownedJob(job)) }

    private func push(_ job: UnownedJob) {
        pthread_mutex_lock(lock)
        queue.append(job)
        pthread_cond_signal(wake)
        pthread_mutex_unlock(lock)
    }

    private func spawnWorker() {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        pthread_create(&thread, nil, { context in
            // The executor lives for the rest of the process; the worker never returns.
            guard let context else { return nil }
            Unmanaged<DiscreteEventExecutor>.fromOpaque(context).takeUnretainedValue().work()
            return nil
        }, context)
        pthread_detach(thread)
    }

    /// A worker: run queued jobs; when the last busy worker finds the queue empty, advance time.
    private func work() -> Never {
        let me = asUnownedTaskExecutor()
        pthread_mutex_lock(lock)
        while true {
            if let job = queue.popFirst() {
                running += 1
                pthread_mutex_unlock(lock)
                job.runSynchronously(on: me)
                pthread_mutex_lock(lock)
                running -= 1
                jobsRun &+= 1
                continue
            }
            if running == 0 && !advancing {
                // Everything runnable has run: time may move. Sleepers are resumed outside the
                // lock because resuming enqueues their jobs through `push`.
                advancing = true
                pthread_mutex_unlock(lock)
                let woke = clock.advanceToNextDeadline(resolution: resolution)
                pthread_mutex_lock(lock)
                advancing = false
                if woke || !queue.isEmpty { continue }
            }
            // Idle: nothing queued and either others are busy or nobody sleeps on the clock
            // (then only a job from outside, such as the main thread's, can start things again).
            pthread_cond_wait(wake, lock)
        }
    }
}

/// The executor the enqueue hook forwards to, set once.
private final class InstalledExecutor: @unchecked Sendable {
    // @unchecked: `executor` is written once under `lock` before the hook is installed.
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var executor: DiscreteEventExecutor?

    init() { pthread_mutex_init(lock, nil) }

    func set(_ e: DiscreteEventExecutor) -> Bool {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        guard executor == nil else { return false }
        executor = e
        return true
    }

    func get() -> DiscreteEventExecutor? {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return executor
    }
}

/// First-in, first-out jobs: an array with a moving head, compacted when half is consumed.
private struct JobQueue {
    private var items: [UnownedJob] = []
    private var head = 0

    var isEmpty: Bool { head == items.count }

    mutating func append(_ job: UnownedJob) { items.append(job) }

    mutating func popFirst() -> UnownedJob? {
        guard head < items.count else { return nil }
        let job = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 4096 && head * 2 >= items.count {
            items.removeFirst(head)
            head = 0
        }
        return job
    }
}

/// The runtime's hook types: the original enqueue and the hook replacing it (Swift calling
/// convention, no context).
private typealias EnqueueGlobalOriginal = @convention(thin) (UnownedJob) -> Void
private typealias EnqueueGlobalHook = @convention(thin) (UnownedJob, EnqueueGlobalOriginal) -> Void

/// The address of `swift_task_enqueueGlobal_hook` in the concurrency runtime, if exported.
private func enqueueGlobalHook() -> UnsafeMutablePointer<EnqueueGlobalHook?>? {
    guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "swift_task_enqueueGlobal_hook") else { return nil }
    return symbol.assumingMemoryBound(to: EnqueueGlobalHook?.self)
}
