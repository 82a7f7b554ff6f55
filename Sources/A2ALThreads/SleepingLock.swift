#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The project's lock around shared state (docs/architecture.md, "Locks"): the same use as the
/// standard library's `Mutex` (`withLock`, `withLockIfAvailable`), but a thread that finds it
/// held spins only briefly before it sleeps.
///
/// Why not `Mutex`: on Linux it spins 1,000 `pause` instructions before it waits in the kernel,
/// about 25 µs on the AMD machine the benchmarks ran on. That pays when the holder is running on
/// another core and lets go within nanoseconds; it wastes a whole time slice when the holder was
/// preempted, which happens all the time when more threads want the CPU than there are cores
/// (16 JSON-RPC loop threads, the UDP readers and the task pool on two cores). There,
/// `node.info` on 16 threads answered 0.25–0.37 of the POSIX echo with `Mutex` and 0.52–0.65
/// (median 0.58) with this lock (docs/benchmarks.md, "A lock that sleeps, and a loop per
/// connection").
///
/// Underneath is glibc's adaptive mutex: uncontended it costs one atomic exchange each way, like
/// `Mutex`; contended it spins a bounded, self-tuning number of times (at most 100) and then
/// waits on a futex. The pthread mutex lives in its own allocation because it must never move.
///
/// Public, not `package`, so that other modules inline `withLock`: the optimizer does not inline
/// an `@inlinable` package method across modules, and an unspecialised generic call on every
/// lock cost about a microsecond per JSON-RPC call.
public final class SleepingLock<Value: ~Copyable>: @unchecked Sendable {
    // @unchecked: `value` is only touched while `mutex` is held, and it enters and leaves the
    // lock as `sending`, the same contract that makes `Mutex` Sendable.
    // Unchecked: the mutex already gives the body sole access, and the runtime's exclusivity
    // check (`swift_beginAccess`) on every call cost more than the lock itself.
    @usableFromInline @exclusivity(unchecked) var value: Value
    @usableFromInline let mutex: UnsafeMutablePointer<pthread_mutex_t>

    public init(_ initialValue: consuming sending Value) {
        value = initialValue
        mutex = .allocate(capacity: 1)
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        #if canImport(Glibc)
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_ADAPTIVE_NP))
        #endif
        let created = pthread_mutex_init(mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
        // Only ENOMEM or EAGAIN can fail an init with valid attributes; no state could be guarded.
        precondition(created == 0, "pthread_mutex_init failed: \(created)")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value while holding the lock; waits for it when another thread holds it.
    @inlinable @inline(__always)
    public func withLock<Result: ~Copyable, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        lock()
        defer { unlock() }
        return try body(&value)
    }

    /// Runs `body` only when the lock is free right now; nil without running it otherwise.
    @inlinable @inline(__always)
    public func withLockIfAvailable<Result: ~Copyable, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result? {
        guard tryLock() else { return nil }
        defer { unlock() }
        return try body(&value)
    }

    @inlinable @inline(__always)
    func lock() {
        // Fails only for a lock this thread already holds (EDEADLK is not reported by an adaptive
        // mutex: it deadlocks), which is a bug in the caller, as with `Mutex`.
        pthread_mutex_lock(mutex)
    }

    @inlinable @inline(__always)
    func tryLock() -> Bool { pthread_mutex_trylock(mutex) == 0 }

    @inlinable @inline(__always)
    func unlock() { pthread_mutex_unlock(mutex) }
}
