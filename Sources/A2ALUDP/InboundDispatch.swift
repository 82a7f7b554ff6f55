#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import A2ALDHT
import Synchronization

/// Spreads inbound datagrams over the machine's cores (docs/architecture.md, "Inbound workers").
///
/// The socket's reader thread only reads; each datagram goes to one of `workers.count` threads,
/// which runs the node's handler (decode, signature check, state update, signed reply). A
/// source's datagrams always go to the same worker, so they are handled in the order they
/// arrived. With no workers (`inboundWorkers: 0`) the reader runs the handler itself, as it did
/// before workers existed.
final class InboundDispatch: Sendable {
    typealias Deliver = @Sendable ([UInt8], PeerAddress) -> Void

    private let workers: [InboundWorker]
    private let threads: Mutex<[pthread_t]>
    private let counters: UDPCounters
    /// Set until `stop`, so a handler that holds the transport is let go at close.
    private let deliver: Mutex<Deliver?>
    /// The inline path's count (no workers: the reader thread delivers).
    private let inlineDelivered = Atomic<UInt64>(0)

    /// Starts `workerCount` threads (none when it is 0: the reader delivers inline).
    init(workerCount: Int, queueCapacity: Int, counters: UDPCounters, deliver: @escaping Deliver) {
        self.counters = counters
        self.deliver = Mutex(deliver)
        workers = workerCount > 0 ? (0..<workerCount).map { _ in InboundWorker(capacity: queueCapacity) } : []
        var started: [pthread_t] = []
        for worker in workers {
            let body: @Sendable () -> Void = { [counters] in
                let left = worker.run { item in
                    counters.received.wrappingAdd(1, ordering: .relaxed)
                    deliver(item.datagram, item.source)
                }
                counters.queueDropped.wrappingAdd(UInt64(left), ordering: .relaxed)
            }
            if let thread = WorkerThread.start(body) {
                started.append(thread)
            } else {
                // No thread (resource limits): this worker's share is dropped and counted as
                // queue drops once its queue fills, rather than stalling the reader.
                continue
            }
        }
        threads = Mutex(started)
    }

    /// Worker threads running (0 when the reader delivers inline).
    var workerCount: Int { workers.count }

    /// Called on the reader thread for each datagram read.
    func submit(_ datagram: [UInt8], from source: PeerAddress) {
        guard !workers.isEmpty else {
            guard let deliver = deliver.withLock({ $0 }) else { return }
            inlineDelivered.wrappingAdd(1, ordering: .relaxed)
            counters.received.wrappingAdd(1, ordering: .relaxed)
            deliver(datagram, source)
            return
        }
        let index = Int(UInt(bitPattern: source.hashValue) % UInt(workers.count))
        if !workers[index].offer((datagram, source)) {
            counters.queueDropped.wrappingAdd(1, ordering: .relaxed)
        }
    }

    /// Datagrams each worker handed to the handler (one entry for the inline path).
    var deliveredPerWorker: [UInt64] {
        workers.isEmpty ? [inlineDelivered.load(ordering: .relaxed)]
                        : workers.map { $0.delivered.load(ordering: .relaxed) }
    }

    /// Stops the workers and, with `wait`, waits for each to finish the datagram in hand (a
    /// handler never blocks, so that is short). Without `wait` (deinit) the threads finish on
    /// their own. Idempotent.
    func stop(wait: Bool) {
        deliver.withLock { $0 = nil }
        for worker in workers { worker.stop() }
        let running = threads.withLock { t -> [pthread_t] in
            defer { t = [] }
            return t
        }
        for thread in running {
            if wait { pthread_join(thread, nil) } else { pthread_detach(thread) }
        }
    }
}

/// Joinable POSIX threads for the inbound workers: they must not occupy Swift's cooperative
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
