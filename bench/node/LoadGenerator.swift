#if canImport(Glibc)
import Glibc
#endif
import A2ALCore
import A2ALProtocol

/// A closed-loop load from many loopback source addresses: one non-blocking socket per source
/// (bound to 127.0.0.2, 127.0.0.3, ...) and one identity per source, so the node's per-IP
/// limit sees many modest sources, as a node on the Internet does. Requests are signed before
/// the clock starts; while measuring the generator only sends and receives.
final class LoadGenerator {
    let fds: [Int32]
    let keys: [Ed25519.KeyPair]
    private var destination = sockaddr_in()

    init(sources: Int, nodePort: UInt16) throws {
        var opened: [Int32] = []
        for i in 0..<sources {
            let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard fd >= 0 else { throw GeneratorError.socket(errno) }
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = (UInt32(0x7f00_0002) + UInt32(i)).bigEndian
            let rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard rc == 0 else { throw GeneratorError.bind(errno) }
            var buf: Int32 = 1 << 20
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, socklen_t(MemoryLayout<Int32>.size))
            opened.append(fd)
        }
        fds = opened
        keys = (0..<sources).map { _ in Ed25519.KeyPair.generate() }
        destination.sin_family = sa_family_t(AF_INET)
        destination.sin_port = nodePort.bigEndian
        destination.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
    }

    deinit { for fd in fds { close(fd) } }

    /// `perSource` distinct requests per source, signed by that source's identity.
    func presign(perSource: Int, _ make: (Ed25519.KeyPair) -> MessageBody) throws -> [[[UInt8]]] {
        try keys.map { k in
            try (0..<max(1, perSource)).map { _ in try Packet.encode(body: make(k), txID: Header.randomTxID(), signer: k) }
        }
    }

    struct Result {
        var perSecond: Double
        /// Answers per CPU-second of the process minus this generator thread: the node's cost.
        var perNodeCPUSecond: Double
        /// Requests sent again because a source heard nothing for 250 ms (a drop somewhere).
        var resends: Int
    }

    /// Keeps `window` requests in flight (spread over the sources) for `seconds`.
    func run(_ requests: [[[UInt8]]], window: Int, seconds: Double) -> Result {
        let n = fds.count
        var next = [Int](repeating: 0, count: n)
        var lastActivity = [ContinuousClock.Instant](repeating: .now, count: n)
        func send(_ source: Int) {
            let list = requests[source]
            let datagram = list[next[source] % list.count]
            next[source] += 1
            _ = datagram.withUnsafeBytes { b in
                withUnsafePointer(to: &destination) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fds[source], b.baseAddress, b.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                } }
            }
        }
        for i in 0..<window { send(i % n) }
        var polls = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        var buffer = [UInt8](repeating: 0, count: 2048)
        var answered = 0, resends = 0
        let start = ContinuousClock.now
        var nextScan = start + .milliseconds(50)
        let process0 = cpuSeconds(CLOCK_PROCESS_CPUTIME_ID), thread0 = cpuSeconds(CLOCK_THREAD_CPUTIME_ID)
        while elapsedSeconds(since: start) < seconds {
            let ready = poll(&polls, nfds_t(n), 20)
            let now = ContinuousClock.now
            if ready > 0 {
                for i in 0..<n where polls[i].revents & Int16(POLLIN) != 0 {
                    let got = buffer.withUnsafeMutableBytes { recv(fds[i], $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                    guard got > 0 else { continue }
                    answered += 1
                    lastActivity[i] = now
                    send(i)
                }
            }
            if now >= nextScan {
                // A source that heard nothing for 250 ms lost a request or an answer: top it up.
                for i in 0..<n where now - lastActivity[i] > .milliseconds(250) {
                    send(i)
                    resends += 1
                    lastActivity[i] = now
                }
                nextScan = now + .milliseconds(50)
            }
        }
        let elapsed = elapsedSeconds(since: start)
        let nodeCPU = (cpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - process0) - (cpuSeconds(CLOCK_THREAD_CPUTIME_ID) - thread0)
        // Drain what is still in flight, so the next load starts from an empty queue.
        let drainUntil = ContinuousClock.now + .milliseconds(300)
        while ContinuousClock.now < drainUntil {
            if poll(&polls, nfds_t(n), 50) <= 0 { continue }
            for i in 0..<n where polls[i].revents & Int16(POLLIN) != 0 {
                _ = buffer.withUnsafeMutableBytes { recv(fds[i], $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            }
        }
        return Result(perSecond: Double(answered) / elapsed, perNodeCPUSecond: Double(answered) / max(nodeCPU, 1e-9),
                      resends: resends)
    }
}

enum GeneratorError: Error {
    case socket(CInt), bind(CInt)
}
