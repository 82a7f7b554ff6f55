#if canImport(Glibc)
import Glibc
#endif

/// The presigned requests copied into one allocation, so their addresses stay valid while the
/// kernel reads them in a batch; request `k` of source `s` is at `offsets[s][k]`.
final class FlatRequests {
    let storage: UnsafeMutableRawBufferPointer
    let slices: [[(offset: Int, count: Int)]]

    init(_ requests: [[[UInt8]]]) {
        var offset = 0
        slices = requests.map { list in
            list.map { datagram in
                defer { offset += datagram.count }
                return (offset, datagram.count)
            }
        }
        storage = .allocate(byteCount: max(offset, 1), alignment: 16)
        var at = 0
        for list in requests {
            for datagram in list {
                UnsafeMutableRawBufferPointer(rebasing: storage[at..<(at + datagram.count)]).copyBytes(from: datagram)
                at += datagram.count
            }
        }
    }

    deinit { storage.deallocate() }

    func bytes(source: Int, index: Int) -> UnsafeRawBufferPointer {
        let slice = slices[source][index]
        return UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(storage)[slice.offset..<(slice.offset + slice.count)])
    }
}

extension LoadGenerator {
    /// The same closed loop as `run`, in batches: one `recvmmsg` takes every answer waiting (up
    /// to 64 per call), one `sendmmsg` replaces them with as many new requests, then the thread
    /// sleeps `pause` so that answers gather. At ~20,000 answers a second and a 1 ms pause that
    /// is a batch of ~20, and the generator takes a core from the node's workers ~1,000 times a
    /// second instead of once per answer. The window (256 requests) holds ~12 ms of the node's
    /// work, so a pause never leaves its workers idle. Nil where the kernel calls are missing.
    func runBatched(_ requests: [[[UInt8]]], window: Int, seconds: Double, pause: Double) -> Result? {
        guard let socket = MultiMessageSocket(fd: fd, destination: destination, capacity: 64) else { return nil }
        let flat = FlatRequests(requests)
        var turn = 0
        func send(_ count: Int) {
            var left = count
            while left > 0 {
                let batch = (0..<min(left, socket.capacity)).map { _ -> (bytes: UnsafeRawBufferPointer, source: UInt32) in
                    let (source, index) = Self.request(turn, of: requests)
                    turn += 1
                    return (flat.bytes(source: source, index: index), Self.sourceAddress(source))
                }
                _ = socket.send(batch)
                left -= batch.count
            }
        }
        send(window)
        var answered = 0, resends = 0
        var sleep = timespec(tv_sec: 0, tv_nsec: Int(pause * 1e9))
        let clock = Stopwatch()
        while clock.elapsed < seconds {
            var got = 0
            while true {
                let n = socket.receiveWaiting()
                if n > 0 { send(n) }
                got += n
                if n < socket.capacity { break }
            }
            answered += got
            if got > 0 {
                nanosleep(&sleep, nil)
                continue
            }
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&ready, 1, 200) == 0 {
                // Nothing for 200 ms: requests or answers were lost; top the window up again.
                send(max(1, window / 4))
                resends += 1
            }
        }
        let result = clock.result(answered: answered, resends: resends)
        // Drain what is still in flight, so the next load starts from an empty queue.
        var tail = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while socket.receiveWaiting() > 0 || poll(&tail, 1, 200) > 0 {}
        return result
    }
}
