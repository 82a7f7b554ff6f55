#if canImport(Glibc)
import Glibc
#endif
import A2ALDHT
import A2ALProtocol
import NIOCore
import NIOPosix
import Synchronization
import Testing
@testable import A2ALUDP

/// "Kernel and transport drops are invisible" (issue "Hostile peers and hostile clients"): the
/// transport reports what the kernel dropped on its socket, and with it accounts for every
/// datagram sent to it (docs/architecture.md, "Datagram accounting").
@Suite(.serialized) struct DatagramAccountingTests {
    static let floodCount = 40_000

    @Test(.timeLimit(.minutes(1))) func aFloodTheReadersCannotReadIsCountedAsKernelDrops() async throws {
        let receiver = try await UDPTransport.bind(host: "127.0.0.1")
        let delivered = Atomic<Int>(0)
        // Every reader's handler is held while the flood arrives, so the socket's receive queue
        // (the only one) overflows.
        let release = Atomic<Bool>(false)
        try await receiver.start { _, _ in
            delivered.add(1, ordering: .relaxed)
            while !release.load(ordering: .relaxed) { usleep(1_000) }
        }
        let port = try #require(receiver.localAddress.udp?.port)
        let inode = try #require(receiver.socketInode)

        let backlogBefore = Self.backlogDrops()
        let sent = Self.flood(port: port, count: Self.floodCount)
        let backlog = Self.backlogDrops() - backlogBefore
        release.store(true, ordering: .relaxed)

        let stats = try await Self.awaitAccounting(receiver, sent: sent, backlog: backlog)
        let drops = try #require(stats.kernelDrops)
        #expect(drops > 0, "the flood overflowed nothing")
        let accounted = stats.received + stats.oversizeDropped + stats.unreadableDropped + drops
        #expect(Int(stats.received) == delivered.load(ordering: .relaxed))
        #expect(stats.statistics.datagramsReceived + drops == accounted)
        // The kernel's own table agrees.
        let entry = ProcNetUDP.entries(port: port).first { $0.inode == inode }
        #expect(entry?.drops == drops, "/proc/net/udp: \(String(describing: entry)), transport: \(drops)")
        print("flood: sent \(sent), read \(stats.received), kernel drops \(drops), backlog drops \(backlog)")
        await receiver.close()
    }

    /// Sends `count` 64-byte datagrams to 127.0.0.1:`port` from one blocking socket; returns how
    /// many the kernel accepted.
    static func flood(port: UInt16, count: Int) -> Int {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var to = sockaddr_in()
        to.sin_family = sa_family_t(AF_INET)
        to.sin_port = port.bigEndian
        to.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let payload = [UInt8](repeating: 0xA4, count: 64)
        var sent = 0
        for _ in 0..<count {
            let n = payload.withUnsafeBytes { p in
                withUnsafePointer(to: &to) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, p.baseAddress, p.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
            if n == payload.count { sent += 1 }
        }
        return sent
    }

    /// Datagrams dropped from the per-CPU input backlogs since boot (column 2 of
    /// /proc/net/softnet_stat): these never reached any socket.
    /// Waits until every datagram of `sent` is accounted for — read, dropped by the transport
    /// (oversize, unreadable),
    /// dropped on the socket's queue (kernel drops), or dropped before reaching the socket (the
    /// machine's loopback backlog drops, `backlog`, which other traffic can also cause) — and
    /// returns the receiver's figures then. Fails the test when that never happens, or when the
    /// socket accounts for more than was sent.
    static func awaitAccounting(_ receiver: UDPTransport, sent: Int, backlog: Int,
                                sourceLocation: SourceLocation = #_sourceLocation) async throws -> UDPTransport.Stats {
        func accounted(_ s: UDPTransport.Stats) -> UInt64 {
            s.received + s.oversizeDropped + s.unreadableDropped + (s.kernelDrops ?? 0)
        }
        let deadline = ContinuousClock.now + .seconds(20)
        while accounted(receiver.stats) + UInt64(backlog) < UInt64(sent), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let stats = receiver.stats
        let total = accounted(stats)
        try #require(total <= UInt64(sent) && total + UInt64(backlog) >= UInt64(sent),
                     "sent \(sent), read \(stats.received), kernel drops \(String(describing: stats.kernelDrops)), backlog drops \(backlog)",
                     sourceLocation: sourceLocation)
        return stats
    }

    static func backlogDrops() -> Int {
        (readWholeFile("/proc/net/softnet_stat") ?? "").split(separator: "\n").reduce(0) { total, line in
            let fields = line.split(separator: " ")
            return total + (fields.count > 1 ? Int(fields[1], radix: 16) ?? 0 : 0)
        }
    }
}
