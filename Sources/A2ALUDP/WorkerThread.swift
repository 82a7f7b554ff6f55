#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Joinable POSIX threads for the socket readers: they must not occupy Swift's cooperative
/// pool (two threads on a two-core machine) with work that never suspends.
enum WorkerThread {
    /// Starts a thread running `body`; nil when none could be created.
    static func start(_ body: @escaping @Sendable () -> Void) -> pthread_t? {
        let box = Unmanaged.passRetained(WorkerBody(body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            let body = Unmanaged<WorkerBody>.fromOpaque(raw).takeRetainedValue()
            body.run()
            return nil
        }, box)
        guard rc == 0 else {
            Unmanaged<WorkerBody>.fromOpaque(box).release()
            return nil
        }
        return thread
    }
}

/// The closure a new thread runs, boxed to pass through pthread_create's context pointer.
private final class WorkerBody: Sendable {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}
