#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A socket file this server bound: the descriptor (bound, not yet listening) and the file's
/// identity, so `stop()` removes only the file it created and not one that replaced it.
struct BoundSocketFile: Sendable {
    let descriptor: Int32
    let device: UInt64
    let inode: UInt64

    /// Whether `path` still names the file this server bound.
    func isStillAt(_ path: String) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }
}

/// Binds the socket file with the requested permissions and group in place before the socket
/// listens. Until `listen()` no client can connect at all, so nobody is ever served through
/// wider permissions than requested.
enum SocketFileBinder {
    static func makeBoundSocket(options: UnixSocketOptions) throws(SocketServerError) -> BoundSocketFile {
        let path = options.path
        let fd = try createAndBind(path: path)
        do {
            let bound = try identify(fd: fd, path: path)
            try applyPermissions(path: path, mode: options.mode, group: options.group)
            return bound
        } catch {
            close(fd)
            unlink(path)
            throw error
        }
    }

    /// A stream socket bound to `path`, whose file is created with no permission bits.
    ///
    /// Linux creates the file with the socket inode's mode less the umask, so clearing the
    /// inode's mode first gives the restrictive start a `umask(0o177)` would, without touching
    /// the umask: that is process-wide, and changing it would race with every other thread
    /// creating files at that moment.
    static func createAndBind(path: String) throws(SocketServerError) -> Int32 {
        let address = try UnixSocketAddress.make(path)
        let fd = UnixSocketAddress.makeStreamSocket(nonBlocking: false)
        guard fd >= 0 else {
            throw SocketServerError(path: path, reason: "cannot create a Unix socket for \(path): "
                                    + SocketErrno.describe(errno))
        }
        #if os(Linux)
        _ = fchmod(fd, 0)
        #endif
        let result = UnixSocketAddress.withSockaddr(address) { bind(fd, $0, $1) }
        guard result == 0 else {
            let code = errno
            close(fd)
            if code == EADDRINUSE {
                throw SocketServerError(path: path, reason: "cannot bind \(path): another process created it "
                                        + "while the daemon was starting")
            }
            throw SocketServerError(path: path, reason: "cannot bind \(path): \(SocketErrno.describe(code))")
        }
        return fd
    }

    private static func identify(fd: Int32, path: String) throws(SocketServerError) -> BoundSocketFile {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            throw SocketServerError(path: path, reason: "cannot inspect the new socket \(path): "
                                    + SocketErrno.describe(errno))
        }
        return BoundSocketFile(descriptor: fd, device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    /// Sets the group first, then the mode: a group-readable mode never applies to the old group.
    static func applyPermissions(path: String, mode: UInt16, group: String?) throws(SocketServerError) {
        if let group {
            let gid = try SocketGroupLookup.gid(named: group, path: path)
            guard chown(path, uid_t.max, gid) == 0 else {
                throw SocketServerError(path: path, reason: "cannot give socket \(path) to group \(group): "
                                        + SocketErrno.describe(errno))
            }
        }
        guard chmod(path, mode_t(mode)) == 0 else {
            throw SocketServerError(path: path, reason: "cannot set mode 0o\(String(mode, radix: 8)) on socket "
                                    + "\(path): \(SocketErrno.describe(errno))")
        }
    }
}
