#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import A2ALDHT
import Synchronization

/// One thread that hands queued inbound datagrams to the node's handler, and its bounded queue
/// (docs/architecture.md, "Inbound workers").
///
/// The reader thread `offer`s datagrams; when the queue holds `capacity` of them the offer is
/// refused and the caller counts the drop, so a flood costs at most `capacity` datagrams of
/// memory per worker, never more. The worker takes the whole queue at once and runs it without
/// the lock, so the reader is never held up by a handler (which verifies a signature and signs
/// a reply, tens of microseconds each).
///
/// `@unchecked Sendable`: every mutable field is read and written only with `mutex` held, and
/// the condition variable is only waited on with it held; the pointers themselves never change.
final class InboundWorker: @unchecked Sendable {
    typealias Item = (datagram: [UInt8], source: PeerAddress)

    let capacity: Int
    /// Datagrams this worker handed to the handler (the per-worker figure in the stats).
    let delivered = Atomic<UInt64>(0)

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let wake: UnsafeMutablePointer<pthread_cond_t>
    private var queue: [Item] = []
    /// The worker sleeps on `wake`; only then does an offer need to signal it.
    private var sleeping = false
    private var stopping = false

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        wake = .allocate(capacity: 1)
        wake.initialize(to: pthread_cond_t())
        pthread_cond_init(wake, nil)
        queue.reserveCapacity(self.capacity)
    }

    deinit {
        pthread_cond_destroy(wake)
        wake.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Queues one datagram; false when the queue is full or the worker is stopping.
    func offer(_ item: Item) -> Bool {
        pthread_mutex_lock(mutex)
        guard !stopping, queue.count < capacity else {
            pthread_mutex_unlock(mutex)
            return false
        }
        queue.append(item)
        let signal = sleeping
        sleeping = false
        pthread_mutex_unlock(mutex)
        if signal { pthread_cond_signal(wake) }
        return true
    }

    /// Datagrams waiting (tests).
    var queued: Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return queue.count
    }

    /// Asks the thread to finish; it returns from `run` with what it had not yet handled,
    /// which the caller counts as dropped.
    func stop() {
        pthread_mutex_lock(mutex)
        stopping = true
        pthread_mutex_unlock(mutex)
        pthread_cond_signal(wake)
    }

    /// The thread's body: hands batches to `handle` until stopped. Returns the datagrams left
    /// in the queue at the stop.
    func run(_ handle: (Item) -> Void) -> Int {
        var batch: [Item] = []
        batch.reserveCapacity(capacity)
        while true {
            pthread_mutex_lock(mutex)
            while queue.isEmpty && !stopping {
                sleeping = true
                pthread_cond_wait(wake, mutex)
            }
            if stopping {
                let left = queue.count
                queue = []
                pthread_mutex_unlock(mutex)
                return left
            }
            // Swap buffers: the reader fills the emptied one while this batch runs.
            swap(&queue, &batch)
            pthread_mutex_unlock(mutex)
            for item in batch {
                delivered.wrappingAdd(1, ordering: .relaxed)
                handle(item)
            }
            batch.removeAll(keepingCapacity: true)
        }
    }
}
