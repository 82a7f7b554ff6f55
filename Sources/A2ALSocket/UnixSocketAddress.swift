#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `sockaddr_un` for a filesystem path, plus the raw socket calls the server makes outside NIO
/// (probing an existing socket file, binding the file before NIO takes the descriptor).
enum UnixSocketAddress {
    /// Bytes a path may have: `sun_path` less its terminating NUL (107 on Linux).
    static var maxPathBytes: Int {
        MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1
    }

    /// The address for `path`, or an error saying why the path cannot be a socket address.
    static func make(_ path: String) throws(SocketServerError) -> sockaddr_un {
        let bytes = Array(path.utf8)
        guard !bytes.contains(0) else {
            throw SocketServerError(path: path, reason: "socket path \(path) contains a NUL byte")
        }
        guard bytes.count <= maxPathBytes else {
            throw SocketServerError(path: path, reason: "socket path \(path) is \(bytes.count) bytes long; "
                                    + "a Unix socket path may be at most \(maxPathBytes) bytes")
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
        }
        return address
    }

    /// Calls `body` with `address` viewed as a generic `sockaddr`.
    static func withSockaddr<R>(_ address: sockaddr_un, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        var copy = address
        return withUnsafePointer(to: &copy) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }

    /// A new close-on-exec stream socket, optionally non-blocking; -1 with errno set on failure.
    static func makeStreamSocket(nonBlocking: Bool) -> Int32 {
        #if os(Linux)
        var type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        if nonBlocking { type |= Int32(SOCK_NONBLOCK.rawValue) }
        return socket(AF_UNIX, type, 0)
        #else
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        guard fd >= 0 else { return fd }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        if nonBlocking { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        return fd
        #endif
    }

    /// Whether `mode` (an `st_mode`) is a socket.
    static func isSocket(_ mode: mode_t) -> Bool {
        mode & S_IFMT == S_IFSOCK
    }
}
