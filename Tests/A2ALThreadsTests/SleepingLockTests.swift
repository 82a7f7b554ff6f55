import A2ALThreads
import Dispatch
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The project's lock (docs/architecture.md, "Locks"): what `Mutex` promises, kept.
@Suite struct SleepingLockTests {
    /// Eight threads on however many cores, each adding one 20,000 times without any atomics of
    /// its own: every increment survives only if the lock excludes the others.
    @Test func threadsThatContendLoseNoUpdate() {
        let counter = SleepingLock(0)
        let threads = 8
        let increments = 20_000
        let done = DispatchGroup()
        for _ in 0..<threads {
            done.enter()
            let started = PosixThread.start {
                for _ in 0..<increments {
                    counter.withLock { value in
                        // A read, a yield point and a write: a lost update if two threads overlap.
                        let read = value
                        if read % 1_000 == 0 { sched_yield() }
                        value = read + 1
                    }
                }
                done.leave()
            }
            if let started { pthread_detach(started) } else { done.leave() }
        }
        done.wait()
        #expect(counter.withLock { $0 } == threads * increments)
    }

    /// `withLockIfAvailable` does not wait: nil while another thread holds the lock, the body's
    /// result once it is free.
    @Test func tryingAHeldLockReturnsNilWithoutWaiting() {
        let lock = SleepingLock("free")
        let holding = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        let holder = PosixThread.start {
            lock.withLock { value in
                value = "held"
                holding.signal()
                release.wait()
            }
            finished.signal()
        }
        guard let holder else {
            Issue.record("no thread to hold the lock")
            return
        }
        pthread_detach(holder)
        holding.wait()
        #expect(lock.withLockIfAvailable { $0 } == nil)
        release.signal()
        finished.wait()
        #expect(lock.withLockIfAvailable { $0 } == "held")
    }

    struct Refused: Error, Equatable {}

    /// A body that throws leaves the value as it changed it, and the lock free.
    @Test func aThrowingBodyReleasesTheLock() {
        let lock = SleepingLock([1, 2])
        #expect(throws: Refused.self) {
            try lock.withLock { (value: inout [Int]) throws(Refused) in
                value.append(3)
                throw Refused()
            }
        }
        #expect(lock.withLockIfAvailable { $0 } == [1, 2, 3])
    }

    /// A value that cannot be copied lives in the lock like any other.
    @Test func holdsAValueThatCannotBeCopied() {
        struct Handle: ~Copyable {
            var uses = 0
        }
        let lock = SleepingLock(Handle())
        lock.withLock { $0.uses += 1 }
        lock.withLock { $0.uses += 1 }
        #expect(lock.withLock { $0.uses } == 2)
    }
}
