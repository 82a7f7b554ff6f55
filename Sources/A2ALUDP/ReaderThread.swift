#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import A2ALDHT
import A2ALProtocol
import Synchronization

/// One thread that reads the transport's socket itself and runs the node's handler on the
/// datagrams it reads, a batch at a time (docs/architecture.md, "Inbound workers").
///
/// Every reader has its own descriptor for the one socket (`UDPSocket.duplicate`), so a
/// descriptor it closes after a fatal error is never one another thread still reads. It reads
/// with `MSG_DONTWAIT` until the socket is empty or it holds `maxBatch` datagrams, hands them
/// over together, and sleeps in `poll` on the socket and on its control pipe (which `stop` and
/// `kill` write to) only once a read finds nothing. Under load it therefore makes one system
/// call per datagram and never sleeps; idle, a datagram wakes every reader that sleeps, and
/// all but one find the socket empty again (a few microseconds each).
///
/// `@unchecked Sendable`: `descriptor`, `backoff`, `attachedAt` and the buffers are touched only
/// by the thread running `run`; what other threads use is atomic or never changes.
final class ReaderThread: @unchecked Sendable {
    typealias Deliver = @Sendable ([InboundDatagram]) -> Void

    /// The most datagrams handed over at once: enough for the handler to run each stage of its
    /// work (limits, verify, answer, sign) over several datagrams in a row, few enough that the
    /// first answer of a batch waits at most a few verifications (docs/benchmarks.md, "Both
    /// cores for inbound work": 8 and 16 measured alike, 1 below).
    static let maxBatch = 8

    /// Datagrams this reader handed to the handler.
    let tally: ReaderTally

    private let socket: UDPSocket
    private let counters: UDPCounters
    private let group: SocketReaders
    private let deliver: Deliver
    /// The control pipe: `stop` and `kill` write a byte, the thread drains it when it wakes.
    private let controlRead: CInt
    private let controlWrite: CInt
    private let stopping = Atomic<Bool>(false)
    private let killRequested = Atomic<Bool>(false)

    /// The thread's own descriptor for the socket; -1 while it is re-attaching.
    private var descriptor: CInt
    private var backoff = ReattachBackoff()
    private var attachedAt = ContinuousClock.now
    /// Read errors in a row that were not fatal; past `errorsBeforePause` the reader pauses.
    private var failedReads = 0

    /// Non-fatal read errors in a row after which each further one waits `errorPause`, so an
    /// error the kernel keeps returning cannot spin a core.
    static let errorsBeforePause = 32
    static let errorPause: Duration = .milliseconds(10)

    /// A reader with its own descriptor and control pipe, not yet running.
    init(socket: UDPSocket, counters: UDPCounters, tally: ReaderTally, group: SocketReaders,
         deliver: @escaping Deliver) throws {
        // A non-blocking close-on-exec pipe (Glibc's Swift module lacks pipe2, a GNU extension).
        var pipeEnds: [CInt] = [-1, -1]
        guard pipe(&pipeEnds) == 0 else { throw UDPSocketError(call: "pipe", errno: errno) }
        for end in pipeEnds {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
        }
        do {
            descriptor = try socket.duplicate()
        } catch {
            _ = close(pipeEnds[0])
            _ = close(pipeEnds[1])
            throw error
        }
        controlRead = pipeEnds[0]
        controlWrite = pipeEnds[1]
        self.socket = socket
        self.counters = counters
        self.tally = tally
        self.group = group
        self.deliver = deliver
    }

    deinit {
        if descriptor >= 0 { _ = close(descriptor) }
        _ = close(controlRead)
        _ = close(controlWrite)
    }

    /// Asks the thread to return from `run`; it does after the batch in hand.
    func stop() {
        stopping.store(true, ordering: .releasing)
        poke()
    }

    /// Makes the reader drop its descriptor and re-attach, as after a fatal read error, once
    /// the group has counted it dead (`SocketReaders.killAll`; tests of the recovery path).
    func kill() {
        killRequested.store(true, ordering: .releasing)
        poke()
    }

    private func poke() {
        var byte: UInt8 = 1
        // A full pipe already holds a wake-up; nothing is lost by a refused write.
        _ = write(controlWrite, &byte, 1)
    }

    /// The thread's body: reads and delivers until stopped.
    func run() {
        var buffer = [UInt8](repeating: 0, count: UDPTransport.receiveBufferSize)
        var source = sockaddr_storage()
        var batch: [InboundDatagram] = []
        batch.reserveCapacity(Self.maxBatch)
        defer { flush(&batch) }
        while !stopping.load(ordering: .acquiring) {
            // A load first: the exchange writes, and this runs once per datagram.
            if killRequested.load(ordering: .relaxed), killRequested.exchange(false, ordering: .acquiringAndReleasing),
               descriptor >= 0 {
                dropDescriptor()
            }
            guard descriptor >= 0 else {
                flush(&batch)
                reattach()
                continue
            }
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let n = buffer.withUnsafeMutableBytes { bytes in
                withUnsafeMutablePointer(to: &source) { storage in
                    storage.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(descriptor, bytes.baseAddress, bytes.count, CInt(MSG_DONTWAIT), $0, &length)
                    }
                }
            }
            if n >= 0 {
                failedReads = 0
                collect(buffer, count: n, source: &source, into: &batch)
                if batch.count >= Self.maxBatch { flush(&batch) }
                continue
            }
            let code = errno
            // What was read so far goes first; an empty socket may have filled again meanwhile.
            if !batch.isEmpty {
                flush(&batch)
                if code == EAGAIN || code == EWOULDBLOCK { continue }
            }
            switch code {
            case EAGAIN, EWOULDBLOCK:
                waitForDatagrams()
            case EINTR:
                continue
            case EBADF, ENOTSOCK, EFAULT, EINVAL:
                fail("recvfrom: \(ErrnoName.of(code))")
            default:
                // Per-datagram errors (ICMP reports such as ECONNREFUSED, ENOMEM): counted,
                // and the socket stays in use.
                counters.receiveErrors.add(1, ordering: .relaxed)
                counters.lastReceiveError.withLock { $0 = "recvfrom: \(ErrnoName.of(code))" }
                failedReads += 1
                if failedReads > Self.errorsBeforePause { sleepOnControl(for: Self.errorPause) }
            }
        }
        if descriptor >= 0 {
            _ = close(descriptor)
            descriptor = -1
        }
    }

    /// Adds one datagram to the batch: whole, from an IP source, and within the size limit.
    private func collect(_ buffer: [UInt8], count: Int, source: inout sockaddr_storage, into batch: inout [InboundDatagram]) {
        // The buffer holds one byte more than the limit, so a datagram that filled it was too
        // large; the kernel cut it, and a cut datagram must never look whole.
        guard count <= UDPTransport.maxDatagramSize else {
            counters.oversizeDropped.add(1, ordering: .relaxed)
            return
        }
        guard let endpoint = withUnsafePointer(to: &source, { WireEndpoint(source: $0) }) else {
            counters.unreadableDropped.add(1, ordering: .relaxed)
            return
        }
        batch.append(InboundDatagram(bytes: Array(buffer[0..<count]), from: .udp(endpoint)))
    }

    /// Hands the batch to the node and empties it.
    private func flush(_ batch: inout [InboundDatagram]) {
        guard !batch.isEmpty else { return }
        tally.delivered.wrappingAdd(UInt64(batch.count), ordering: .relaxed)
        tally.batches.wrappingAdd(1, ordering: .relaxed)
        deliver(batch)
        batch.removeAll(keepingCapacity: true)
    }

    /// Sleeps until the socket has a datagram or the control pipe is written to.
    private func waitForDatagrams() {
        var fds = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: controlRead, events: Int16(POLLIN), revents: 0)]
        let rc = poll(&fds, 2, -1)
        if rc > 0, fds[1].revents != 0 { drainControl() }
    }

    /// Sleeps for `duration` or until the control pipe is written to.
    private func sleepOnControl(for duration: Duration) {
        let ms = CInt(clamping: duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
        var fds = [pollfd(fd: controlRead, events: Int16(POLLIN), revents: 0)]
        if poll(&fds, 1, max(0, ms)) > 0 { drainControl() }
    }

    private func drainControl() {
        var bytes = [UInt8](repeating: 0, count: 64)
        while read(controlRead, &bytes, bytes.count) > 0 {}
    }

    /// Gives up the descriptor after a fatal error and tells the group.
    private func fail(_ reason: String) {
        dropDescriptor()
        group.readerDied(reason)
    }

    private func dropDescriptor() {
        _ = close(descriptor)
        descriptor = -1
        if ContinuousClock.now - attachedAt >= ReattachBackoff.stableAfter { backoff.reset() }
    }

    /// One attempt to read the socket again, after the backoff's delay.
    private func reattach() {
        let delay = backoff.next()
        if delay > .zero {
            sleepOnControl(for: delay)
            if stopping.load(ordering: .acquiring) { return }
        }
        do {
            descriptor = try socket.duplicate()
            attachedAt = .now
            failedReads = 0
            group.readerBack()
        } catch {
            group.reattachFailed("\(error)")
        }
    }
}
