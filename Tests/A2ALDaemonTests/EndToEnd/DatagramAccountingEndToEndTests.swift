import A2ALTestSupport
import A2ALRPC
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// "Kernel and transport drops are invisible" (issue "Hostile peers and hostile clients"): a
/// flood the daemon could not read fast enough showed no drops in `node.stats`. Here the daemon
/// is stopped (SIGSTOP) while a bounded flood fills its socket's receive buffer from loopback,
/// so the kernel must drop; once it runs again, every datagram sent is either read or counted as
/// a kernel drop (docs/jsonrpc.md, `node.stats`).
@Suite(.serialized) struct DatagramAccountingEndToEndTests {
    static let floodCount = 60_000

    @Test(.timeLimit(.minutes(2))) func everyFloodedDatagramIsReadOrCountedAsAKernelDrop() async throws {
        let daemon = try await DaemonProcess.start()
        let udp = try #require(try await daemon.result("node.info")["listen_addrs"]?.arrayValue?.first?.stringValue)
        let port = try #require(udp.split(separator: ":").last.flatMap { UInt16($0) })
        let before = try await Self.transport(daemon)
        let backlogDropsBefore = Self.backlogDrops()

        kill(daemon.pid, SIGSTOP)
        let sent = Self.flood(port: port, count: Self.floodCount)
        kill(daemon.pid, SIGCONT)
        let backlogDrops = Self.backlogDrops() - backlogDropsBefore
        #expect(sent == Self.floodCount)

        // Wait until every datagram is read or counted as dropped (the accounting below then
        // checks that none is counted twice).
        let settled = try await E2EPoll.until(within: .seconds(20)) { () async throws -> JSONValue? in
            let s = try await Self.transport(daemon)
            let read = (s["datagrams_received"]?.intValue ?? 0) - (before["datagrams_received"]?.intValue ?? 0)
            let dropped = (s["dropped_kernel"]?.intValue ?? 0) - (before["dropped_kernel"]?.intValue ?? 0)
            // Not `cond ? s : nil`: that nil would be JSONValue's own null, ending the wait at once.
            if read + dropped + Int64(backlogDrops) >= Int64(sent) { return s }
            return nil
        }
        let stats = try #require(settled, "the daemon's figures never accounted for all \(sent) datagrams")
        let received = try #require(stats["datagrams_received"]?.intValue, "node.stats.transport lacks datagrams_received: \(stats)")
        let dropped = try #require(stats["dropped_kernel"]?.intValue, "node.stats.transport lacks dropped_kernel: \(stats)")
        let receivedBefore = before["datagrams_received"]?.intValue ?? 0
        let droppedBefore = before["dropped_kernel"]?.intValue ?? 0
        let accounted = (received - receivedBefore) + (dropped - droppedBefore)
        #expect(dropped > droppedBefore, "a flood into a stopped daemon dropped nothing")
        // Each datagram is read or dropped at the socket, except those the kernel dropped before
        // they reached any socket (the per-CPU backlog, counted in /proc/net/softnet_stat).
        #expect(accounted <= Int64(sent) && accounted >= Int64(sent) - Int64(backlogDrops),
                "sent \(sent), read \(received - receivedBefore), kernel drops \(dropped - droppedBefore), backlog drops \(backlogDrops)")
        print("flood: sent \(sent), read \(received - receivedBefore), kernel drops \(dropped - droppedBefore), backlog drops \(backlogDrops)")
        try await daemon.stop()
    }

    static func transport(_ daemon: DaemonProcess) async throws -> JSONValue {
        try #require(try await daemon.result("node.stats")["transport"])
    }

    /// Sends `count` 64-byte datagrams to 127.0.0.1:`port` as fast as one blocking socket can;
    /// returns how many the kernel accepted.
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

    /// Datagrams the kernel dropped from its per-CPU input backlogs (second column of each
    /// /proc/net/softnet_stat line, hexadecimal) since boot.
    static func backlogDrops() -> Int {
        guard let f = fopen("/proc/net/softnet_stat", "r") else { return 0 }
        defer { fclose(f) }
        var total = 0
        var line = [CChar](repeating: 0, count: 512)
        while fgets(&line, Int32(line.count), f) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let fields = text.split(separator: " ")
            if fields.count > 1, let n = Int(fields[1], radix: 16) { total += n }
        }
        return total
    }
}
