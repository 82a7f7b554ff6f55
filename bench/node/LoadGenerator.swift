#if canImport(Glibc)
import Glibc
#endif
import A2ALCore
import A2ALProtocol

/// A closed-loop load from many loopback source addresses (127.0.0.2, 127.0.0.3, ...), one
/// identity per address, so the node's per-IP limit sees many modest sources, as a node on the
/// Internet does. One socket, bound to the wildcard address, sends each request from its
/// source's address (IP_PKTINFO) and receives every answer, so the generator costs what a
/// one-socket generator costs whatever the number of sources. Requests are signed before the
/// clock starts; while measuring the generator only sends and receives.
final class LoadGenerator {
    let fd: Int32
    let keys: [Ed25519.KeyPair]
    private(set) var destination = sockaddr_in()

    init(sources: Int, nodePort: UInt16) throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw GeneratorError.socket(errno) }
        self.fd = fd
        var any = sockaddr_in()
        any.sin_family = sa_family_t(AF_INET)
        let rc = withUnsafePointer(to: &any) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw GeneratorError.bind(errno) }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buf: Int32 = 4 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, socklen_t(MemoryLayout<Int32>.size))
        keys = (0..<sources).map { _ in Ed25519.KeyPair.generate() }
        destination.sin_family = sa_family_t(AF_INET)
        destination.sin_port = nodePort.bigEndian
        destination.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
    }

    deinit { close(fd) }

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
        /// Times 200 ms passed without an answer and the window was topped up (drops somewhere).
        var resends: Int
        /// CPU the generator thread used, in cores (its CPU-seconds per second of the load).
        var generatorCores: Double
    }

    /// Keeps about `window` requests in flight, the sources taking turns, for `seconds`.
    func run(_ requests: [[[UInt8]]], window: Int, seconds: Double) -> Result {
        var sender = PacketInfoSender(fd: fd, destination: destination)
        var turn = 0
        func send() {
            let source = turn % requests.count
            let list = requests[source]
            sender.send(list[(turn / requests.count) % list.count], from: UInt32(0x7f00_0002) + UInt32(source))
            turn += 1
        }
        for _ in 0..<window { send() }
        var buffer = [UInt8](repeating: 0, count: 2048)
        var answered = 0, resends = 0
        let start = ContinuousClock.now
        let process0 = cpuSeconds(CLOCK_PROCESS_CPUTIME_ID), thread0 = cpuSeconds(CLOCK_THREAD_CPUTIME_ID)
        while elapsedSeconds(since: start) < seconds {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                answered += 1
                send()
            } else {
                // Nothing for 200 ms: requests or answers were lost; top the window up again.
                for _ in 0..<max(1, window / 4) { send() }
                resends += 1
            }
        }
        let elapsed = elapsedSeconds(since: start)
        let generatorCPU = cpuSeconds(CLOCK_THREAD_CPUTIME_ID) - thread0
        let nodeCPU = (cpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - process0) - generatorCPU
        // Drain what is still in flight, so the next load starts from an empty queue.
        while (buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }) > 0 {}
        return Result(perSecond: Double(answered) / elapsed, perNodeCPUSecond: Double(answered) / max(nodeCPU, 1e-9),
                      resends: resends, generatorCores: generatorCPU / elapsed)
    }
}

/// sendmsg with an IP_PKTINFO control message naming the source address. The control message
/// is laid out by hand (cmsghdr, then struct in_pktinfo { ifindex; spec_dst; addr }) because
/// Glibc's Swift module lacks the CMSG_* macros and in_pktinfo.
struct PacketInfoSender {
    let fd: Int32
    var destination: sockaddr_in
    private var control = [UInt8](repeating: 0, count: PacketInfoSender.controlSpace)
    var errors = 0

    /// CMSG_SPACE(12) on LP64: a 16-byte header and 12 bytes of data padded to 16.
    static let controlSpace = MemoryLayout<cmsghdr>.size + 16
    static let controlLength = MemoryLayout<cmsghdr>.size + 12

    init(fd: Int32, destination: sockaddr_in) {
        self.fd = fd
        self.destination = destination
        control.withUnsafeMutableBytes { raw in
            var header = cmsghdr()
            header.cmsg_len = Int(Self.controlLength)
            header.cmsg_level = Int32(IPPROTO_IP)
            header.cmsg_type = Int32(IP_PKTINFO)
            raw.storeBytes(of: header, as: cmsghdr.self)
        }
    }

    mutating func send(_ datagram: [UInt8], from ipv4: UInt32) {
        control.withUnsafeMutableBytes { raw in
            // in_pktinfo.ipi_spec_dst: the source address to send from (network order).
            raw.storeBytes(of: ipv4.bigEndian, toByteOffset: MemoryLayout<cmsghdr>.size + 4, as: UInt32.self)
        }
        let fd = self.fd
        let rc = datagram.withUnsafeBytes { bytes in
            control.withUnsafeMutableBytes { ctl in
                withUnsafeMutablePointer(to: &destination) { dest in
                    var iov = iovec(iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress), iov_len: bytes.count)
                    return withUnsafeMutablePointer(to: &iov) { iovp in
                        var message = msghdr()
                        message.msg_name = UnsafeMutableRawPointer(dest)
                        message.msg_namelen = socklen_t(MemoryLayout<sockaddr_in>.size)
                        message.msg_iov = iovp
                        message.msg_iovlen = 1
                        message.msg_control = ctl.baseAddress
                        message.msg_controllen = ctl.count
                        return sendmsg(fd, &message, 0)
                    }
                }
            }
        }
        if rc < 0 { errors += 1 }
    }
}

enum GeneratorError: Error {
    case socket(CInt), bind(CInt)
}
