#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// POSIX threads of the project's own, for work that must not occupy Swift's cooperative pool
/// (one thread per core) because it blocks or never suspends: name resolution
/// (`BlockingWorkers`), the UDP socket readers and the JSON-RPC socket's loops.
package enum PosixThread {
    /// Starts a joinable thread running `body`; nil when none could be created (resource
    /// limits). The caller joins or detaches it.
    package static func start(_ body: @escaping @Sendable () -> Void) -> pthread_t? {
        let box = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            let body = Unmanaged<ThreadBody>.fromOpaque(raw).takeRetainedValue()
            body.run()
            return nil
        }, box)
        guard rc == 0 else {
            Unmanaged<ThreadBody>.fromOpaque(box).release()
            return nil
        }
        return thread
    }
}

/// The closure a new thread runs, boxed to pass through pthread_create's context pointer.
private final class ThreadBody: Sendable {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}
