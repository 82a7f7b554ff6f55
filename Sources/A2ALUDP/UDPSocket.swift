#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// The node's UDP socket, owned by the transport rather than by SwiftNIO.
///
/// Why not NIO's own writes: SwiftNIO (2.101, NIOPosix `PendingDatagramWritesManager.isRecoverable`
/// and `BaseSocketChannel.flushNow`) closes a datagram channel on every send error but EMSGSIZE
/// and EHOSTUNREACH, and has no option to keep it open. One datagram to a contact at an
/// unroutable address (ENETUNREACH), or one a firewall refuses (EPERM, EACCES), then took the
/// node off the network. So the transport sends here, one `sendto` per datagram, and an error
/// concerns that datagram alone; the reader threads read, each from a duplicate of this
/// descriptor (docs/architecture.md, "A2ALUDP").
///
/// The descriptor is used under a read lock and closed under the write lock, so a send racing
/// `close` can never reach a descriptor number the process has since reused for something
/// else, while the reader threads, each sending its replies, never wait for one another.
///
/// `@unchecked Sendable`: `descriptor` is read only under the read lock and written only under
/// the write lock.
final class UDPSocket: @unchecked Sendable {
    /// -1 once closed.
    private var descriptor: CInt
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>
    let local: SocketAddress

    private init(fd: CInt, local: SocketAddress) {
        descriptor = fd
        lock = .allocate(capacity: 1)
        lock.initialize(to: pthread_rwlock_t())
        pthread_rwlock_init(lock, nil)
        self.local = local
    }

    /// Runs `body` with the descriptor (-1 once closed) under the read lock.
    private func withDescriptor<T, E: Error>(_ body: (CInt) throws(E) -> T) throws(E) -> T {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body(descriptor)
    }

    var isIPv6: Bool { local.protocol == .inet6 }

    /// A bound, non-blocking UDP socket. `dualStack` clears IPV6_V6ONLY so one IPv6 socket also
    /// serves IPv4 peers. Made on whatever thread calls it, in that thread's network namespace.
    static func open(host: String, port: Int, dualStack: Bool, receiveBuffer: Int, sendBuffer: Int) throws -> UDPSocket {
        let address = try SocketAddress.makeAddressResolvingHost(host, port: port)
        let family = address.protocol == .inet6 ? AF_INET6 : AF_INET
        let fd = socket(family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw UDPSocketError(call: "socket", errno: errno) }
        do {
            try setOption(fd, SOL_SOCKET, SO_RCVBUF, CInt(receiveBuffer))
            try setOption(fd, SOL_SOCKET, SO_SNDBUF, CInt(sendBuffer))
            if dualStack { try setOption(fd, CInt(IPPROTO_IPV6), IPV6_V6ONLY, 0) }
            let rc = address.withSockAddr { bind(fd, $0, socklen_t($1)) }
            guard rc == 0 else { throw UDPSocketError(call: "bind \(address)", errno: errno) }
            return UDPSocket(fd: fd, local: try boundAddress(fd))
        } catch {
            _ = systemClose(fd)
            throw error
        }
    }

    /// Sends one datagram now; nil when the kernel took it, else the errno it refused it with.
    func send(_ datagram: [UInt8], to destination: DestinationAddress) -> CInt? {
        withDescriptor { fd -> CInt? in
            guard fd >= 0 else { return EBADF }
            let n = datagram.withUnsafeBytes { bytes in
                destination.withSockAddr { sendto(fd, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT), $0, $1) }
            }
            return n < 0 ? errno : nil
        }
    }

    /// A new descriptor for the same socket, for a reader thread to read from and close when its
    /// reads fail.
    func duplicate() throws -> CInt {
        try withDescriptor { fd throws(UDPSocketError) -> CInt in
            guard fd >= 0 else { throw UDPSocketError(call: "dup", errno: EBADF) }
            let copy = fcntl(fd, F_DUPFD_CLOEXEC, 0)
            guard copy >= 0 else { throw UDPSocketError(call: "dup", errno: errno) }
            return copy
        }
    }

    /// Datagrams the kernel dropped on this socket (receive queue full, among others): the
    /// `drops` column of /proc/net/udp, read through SO_MEMINFO. Nil where unsupported.
    var kernelDrops: UInt64? {
        #if os(Linux)
        withDescriptor { fd -> UInt64? in
            guard fd >= 0 else { return nil }
            // SO_MEMINFO (asm-generic/socket.h) fills SK_MEMINFO_VARS (9) u32 counters; the
            // last, SK_MEMINFO_DROPS, is the socket's sk_drops (linux/sock_diag.h).
            var info = [UInt32](repeating: 0, count: 9)
            var length = socklen_t(info.count * MemoryLayout<UInt32>.size)
            let rc = info.withUnsafeMutableBytes { getsockopt(fd, SOL_SOCKET, 55, $0.baseAddress, &length) }
            guard rc == 0, Int(length) >= info.count * MemoryLayout<UInt32>.size else { return nil }
            return UInt64(info[8])
        }
        #else
        nil
        #endif
    }

    /// The socket's inode (what /proc/net/udp and /proc/PID/fd name it by).
    var inode: UInt64? {
        withDescriptor { fd -> UInt64? in
            var st = stat()
            guard fd >= 0, fstat(fd, &st) == 0 else { return nil }
            return UInt64(st.st_ino)
        }
    }

    /// Closes the transport's descriptor; the socket itself lives on while a reader holds a copy.
    func close() {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        guard descriptor >= 0 else { return }
        _ = systemClose(descriptor)
        descriptor = -1
    }

    deinit {
        close()
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    private static func setOption(_ fd: CInt, _ level: CInt, _ name: CInt, _ value: CInt) throws {
        var v = value
        guard setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<CInt>.size)) == 0 else {
            throw UDPSocketError(call: "setsockopt \(name)", errno: errno)
        }
    }

    private static func boundAddress(_ fd: CInt) throws -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard rc == 0 else { throw UDPSocketError(call: "getsockname", errno: errno) }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { SocketAddress($0.pointee, host: "") }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { SocketAddress($0.pointee, host: "") }
            }
        default:
            throw UDPSocketError(call: "getsockname", errno: EAFNOSUPPORT)
        }
    }
}

private func systemClose(_ fd: CInt) -> CInt { close(fd) }

/// A system call on the socket failed. Public so the daemon can word a bind failure next to
/// the address it was asked for ("cannot listen on UDP ...: address already in use").
public struct UDPSocketError: Error, CustomStringConvertible {
    public let call: String
    public let errno: CInt
    public var description: String { "udp: \(call): \(ErrnoName.of(errno))" }
}
