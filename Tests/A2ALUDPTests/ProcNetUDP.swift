/// The kernel's own view of UDP sockets (`/proc/net/udp` and `udp6`): which socket (inode) holds
/// a port, and how many datagrams the kernel dropped on it. Tests compare the transport's
/// figures with these, independently of how the transport obtains its own.
struct ProcNetUDPEntry: Equatable {
    var port: UInt16
    var inode: UInt64
    var drops: UInt64
    /// Bytes waiting in the socket's receive queue.
    var receiveQueue: UInt64
}

enum ProcNetUDP {
    /// Entries of one /proc/net/udp-format text (header line skipped, unreadable lines ignored).
    static func parse(_ text: String) -> [ProcNetUDPEntry] {
        text.split(separator: "\n").dropFirst().compactMap { line in
            let f = line.split(whereSeparator: { $0 == " " })
            guard f.count >= 13,
                  let portHex = f[1].split(separator: ":").last, let port = UInt16(portHex, radix: 16),
                  let queueHex = f[4].split(separator: ":").last, let queue = UInt64(queueHex, radix: 16),
                  let inode = UInt64(f[9]), let drops = UInt64(f[12]) else { return nil }
            return ProcNetUDPEntry(port: port, inode: inode, drops: drops, receiveQueue: queue)
        }
    }

    /// Sockets bound to `port` in the given texts (udp and udp6 of one namespace).
    static func entries(port: UInt16, in texts: [String]) -> [ProcNetUDPEntry] {
        texts.flatMap(parse).filter { $0.port == port }
    }

    /// The calling thread's namespace's sockets on `port`.
    static func entries(port: UInt16) -> [ProcNetUDPEntry] {
        entries(port: port, in: ["/proc/thread-self/net/udp", "/proc/thread-self/net/udp6"].compactMap(readWholeFile))
    }
}

extension NetworkNamespace {
    /// The namespace's sockets on `port`, read from its own thread.
    func udpEntries(port: UInt16) async throws -> [ProcNetUDPEntry] {
        let texts = [try await readOnLoop("/proc/thread-self/net/udp"), try await readOnLoop("/proc/thread-self/net/udp6")]
        return ProcNetUDP.entries(port: port, in: texts)
    }
}
