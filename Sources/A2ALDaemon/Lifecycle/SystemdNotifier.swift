import A2ALSocket
#if canImport(Glibc)
import Glibc
#endif

/// The sd_notify(3) protocol without libsystemd: each state change is one datagram to the
/// AF_UNIX socket named by `NOTIFY_SOCKET` (a path, or "@name" for the abstract namespace).
/// Without the variable every call does nothing (docs/systemd.md, "Readiness and watchdog").
package struct SystemdNotifier: Sendable {
    /// The socket address, nil when not run by systemd with Type=notify.
    package let socketAddress: String?

    package init(socketAddress: String?) {
        self.socketAddress = socketAddress.flatMap { $0.isEmpty ? nil : $0 }
    }

    package static func fromEnvironment(_ environment: [String: String]) -> SystemdNotifier {
        SystemdNotifier(socketAddress: environment["NOTIFY_SOCKET"])
    }

    /// Sends "KEY=value" lines; false when there is no socket or the send failed (systemd may
    /// have gone away: not a reason to stop the daemon).
    @discardableResult
    package func notify(_ lines: String...) -> Bool {
        guard let socketAddress, var address = Self.address(socketAddress) else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let message = Array(lines.joined(separator: "\n").utf8)
        let sent = withUnsafePointer(to: &address.storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                message.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), sa, address.length) }
            }
        }
        return sent == message.count
    }

    /// "STATUS=..." text is one line: a newline would start another assignment.
    package static func status(_ text: String) -> String {
        "STATUS=" + String(text.map { $0 == "\n" ? " " : $0 })
    }

    /// CLOCK_MONOTONIC in microseconds, for `MONOTONIC_USEC=` with `RELOADING=1` (systemd ≥ 253
    /// matches a reload to the request by it).
    package static func monotonicMicroseconds() -> UInt64 {
        MonotonicClock.nanoseconds() / 1_000
    }

    struct Address {
        var storage: sockaddr_un
        var length: socklen_t
    }

    /// A path, or "@name" for an abstract socket (leading NUL, length without a terminator).
    static func address(_ text: String) -> Address? {
        var storage = sockaddr_un()
        storage.sun_family = sa_family_t(AF_UNIX)
        let abstract = text.hasPrefix("@")
        var bytes = Array(text.utf8)
        if abstract { bytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: storage.sun_path)
        guard !bytes.isEmpty, bytes.count < capacity, abstract || !bytes.contains(0) else { return nil }
        withUnsafeMutableBytes(of: &storage.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let header = MemoryLayout<sa_family_t>.size
        return Address(storage: storage, length: socklen_t(header + bytes.count + (abstract ? 0 : 1)))
    }
}
