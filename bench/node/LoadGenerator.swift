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

    /// Wall time and CPU from the start of a load, on the generator's thread; `result` splits
    /// the process's CPU into the generator's and the node's.
    struct Stopwatch {
        let start = ContinuousClock.now
        let process0 = cpuSeconds(CLOCK_PROCESS_CPUTIME_ID)
        let thread0 = cpuSeconds(CLOCK_THREAD_CPUTIME_ID)

        var elapsed: Double { elapsedSeconds(since: start) }

        func result(answered: Int, resends: Int) -> Result {
            let elapsed = self.elapsed
            let generatorCPU = cpuSeconds(CLOCK_THREAD_CPUTIME_ID) - thread0
            let nodeCPU = (cpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - process0) - generatorCPU
            return Result(perSecond: Double(answered) / elapsed, perNodeCPUSecond: Double(answered) / max(nodeCPU, 1e-9),
                          resends: resends, generatorCores: generatorCPU / elapsed)
        }
    }

    /// The request sent at `turn`: the sources take turns, each cycling through its own list.
    static func request(_ turn: Int, of requests: [[[UInt8]]]) -> (source: Int, index: Int) {
        let source = turn % requests.count
        return (source, (turn / requests.count) % requests[source].count)
    }

    /// Source `i`'s loopback address: 127.0.0.2 and up.
    static func sourceAddress(_ source: Int) -> UInt32 { 0x7f00_0002 + UInt32(source) }

    /// Keeps about `window` requests in flight, the sources taking turns, for `seconds`.
    func run(_ requests: [[[UInt8]]], window: Int, seconds: Double) -> Result {
        var sender = PacketInfoSender(fd: fd, destination: destination)
        var turn = 0
        func send() {
            let (source, index) = Self.request(turn, of: requests)
            sender.send(requests[source][index], from: Self.sourceAddress(source))
            turn += 1
        }
        for _ in 0..<window { send() }
        var buffer = [UInt8](repeating: 0, count: 2048)
        var answered = 0, resends = 0
        let clock = Stopwatch()
        while clock.elapsed < seconds {
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
        let result = clock.result(answered: answered, resends: resends)
        // Drain what is still in flight, so the next load starts from an empty queue.
        while (buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }) > 0 {}
        return result
    }
}

/// The IP_PKTINFO control message that names a datagram's source address, laid out by hand
/// (cmsghdr, then struct in_pktinfo { ifindex; spec_dst; addr }) because Glibc's Swift module
/// lacks the CMSG_* macros and in_pktinfo. Shared by `PacketInfoSender` and `MultiMessageSocket`.
enum PacketInfoControl {
    /// CMSG_SPACE(12) on LP64: a 16-byte header and 12 bytes of data padded to 16.
    static let space = MemoryLayout<cmsghdr>.size + 16
    static let length = MemoryLayout<cmsghdr>.size + 12

    /// Writes the header into `space` bytes at `control`.
    static func initialize(_ control: UnsafeMutableRawPointer) {
        var header = cmsghdr()
        header.cmsg_len = length
        header.cmsg_level = Int32(IPPROTO_IP)
        header.cmsg_type = Int32(IP_PKTINFO)
        control.storeBytes(of: header, as: cmsghdr.self)
    }

    /// Sets in_pktinfo.ipi_spec_dst, the source address to send from (network order).
    static func setSource(_ ipv4: UInt32, in control: UnsafeMutableRawPointer) {
        control.storeBytes(of: ipv4.bigEndian, toByteOffset: MemoryLayout<cmsghdr>.size + 4, as: UInt32.self)
    }
}

/// sendmsg with an IP_PKTINFO control message naming the source address.
struct PacketInfoSender {
    let fd: Int32
    var destination: sockaddr_in
    private var control = [UInt8](repeating: 0, count: PacketInfoControl.space)
    var errors = 0

    init(fd: Int32, destination: sockaddr_in) {
        self.fd = fd
        self.destination = destination
        control.withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress { PacketInfoControl.initialize(base) }
        }
    }

    mutating func send(_ datagram: [UInt8], from ipv4: UInt32) {
        control.withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress { PacketInfoControl.setSource(ipv4, in: base) }
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
