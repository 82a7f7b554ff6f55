#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import A2ALThreads

/// Threads of their own for calls that block in the C library (getaddrinfo), so they never
/// occupy Swift's cooperative pool: on a two-core machine that pool has two threads, and four
/// host-name lookups waiting on a DNS server that never answers once stalled every other call
/// of the daemon for half a minute (docs/architecture.md, "Name resolution").
///
/// At most `maxThreads` run at once; further jobs queue and are taken by the first thread to
/// finish. Threads are started on demand and exit when the queue is empty, so an idle node holds
/// none. A job that hangs holds its thread until the C library gives up; callers do not wait
/// for that (`HostNameResolver` puts its own deadline on every lookup).
final class BlockingWorkers: Sendable {
    private struct State {
        var queue: [@Sendable () -> Void] = []
        var running = 0
    }

    private let maxThreads: Int
    private let state = SleepingLock(State())

    init(maxThreads: Int) { self.maxThreads = max(1, maxThreads) }

    /// Runs `job` on one of the threads, now or when one is free.
    func submit(_ job: @escaping @Sendable () -> Void) {
        let startThread = state.withLock { s -> Bool in
            guard s.running < maxThreads else {
                s.queue.append(job)
                return false
            }
            s.running += 1
            return true
        }
        guard startThread else { return }
        if !Self.spawn({ self.work(first: job) }) {
            // No thread could be made (resource limits). Running the job here would block the
            // caller, which is what this type exists to avoid; it is dropped, and the caller's
            // own deadline answers for it.
            state.withLock { $0.running -= 1 }
        }
    }

    /// Jobs waiting for a thread, and threads running (tests).
    var load: (queued: Int, running: Int) { state.withLock { ($0.queue.count, $0.running) } }

    private func work(first: @escaping @Sendable () -> Void) {
        var job: (@Sendable () -> Void)? = first
        while let current = job {
            current()
            job = state.withLock { s in
                if s.queue.isEmpty {
                    s.running -= 1
                    return nil
                }
                return s.queue.removeFirst()
            }
        }
    }

    /// Starts a detached POSIX thread running `body`; false when none could be created.
    private static func spawn(_ body: @escaping @Sendable () -> Void) -> Bool {
        guard let thread = PosixThread.start(body) else { return false }
        pthread_detach(thread)
        return true
    }
}
