import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Readies the filesystem for binding: the parent directory exists, and whatever sits at the
/// path is either nothing or a stale socket file (removed). A live socket or any other kind of
/// file is left alone and reported, so a misconfigured path never deletes someone's data or
/// steals another daemon's socket.
enum SocketPathPreparer {
    static func prepare(path: String, logger: Logger) throws(SocketServerError) {
        _ = try UnixSocketAddress.make(path)
        // The socket's mode and group are set by path after bind; in a directory others can
        // change, they could swap the file for a link in between and have us chmod their target.
        if let reason = PathSafety.unsafeAncestor(of: path) {
            throw SocketServerError(path: path, reason: "refusing to create the socket \(path): \(reason); "
                                    + "use a directory only this user (or root) can write, such as $XDG_RUNTIME_DIR")
        }
        try createParentDirectory(of: path)
        try clearStaleSocket(at: path, logger: logger)
    }

    /// `mkdir -p` of the parent with mode 0700 for the directories it creates.
    static func createParentDirectory(of path: String) throws(SocketServerError) {
        let components = path.split(separator: "/", omittingEmptySubsequences: false).dropLast()
        var prefix = ""
        for (index, component) in components.enumerated() {
            prefix += index == 0 ? String(component) : "/" + component
            // Empty, "." and ".." prefixes name directories that exist whenever the walk gets there.
            guard !prefix.isEmpty, component != ".", component != ".." else { continue }
            if mkdir(prefix, 0o700) != 0 {
                let code = errno
                guard code == EEXIST else {
                    throw SocketServerError(path: path, reason: "cannot create directory \(prefix) for socket "
                                            + "\(path): \(SocketErrno.describe(code))")
                }
            }
        }
    }

    private static func clearStaleSocket(at path: String, logger: Logger) throws(SocketServerError) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT { return }
            throw SocketServerError(path: path, reason: "cannot inspect \(path): \(SocketErrno.describe(code))")
        }
        guard UnixSocketAddress.isSocket(info.st_mode) else {
            throw SocketServerError(path: path, reason: "\(path) exists and is not a socket; refusing to replace it")
        }
        switch probe(path) {
        case .listening:
            throw SocketServerError(path: path, reason: "another daemon is already listening on \(path)")
        case .stale:
            guard unlink(path) == 0 || errno == ENOENT else {
                throw SocketServerError(path: path, reason: "cannot remove stale socket \(path): "
                                        + SocketErrno.describe(errno))
            }
            logger.info("removed stale socket file", metadata: ["path": "\(path)"])
        case .failed(let code):
            throw SocketServerError(path: path, reason: "cannot check whether the existing socket \(path) is in use: "
                                    + SocketErrno.describe(code))
        }
    }

    private enum ProbeResult {
        case listening
        case stale
        case failed(Int32)
    }

    /// Connects to the existing socket file. Non-blocking, so a live but overloaded daemon (full
    /// accept queue, EAGAIN) counts as live instead of stalling start-up.
    private static func probe(_ path: String) -> ProbeResult {
        guard let address = try? UnixSocketAddress.make(path) else { return .failed(ENAMETOOLONG) }
        let fd = UnixSocketAddress.makeStreamSocket(nonBlocking: true)
        guard fd >= 0 else { return .failed(errno) }
        defer { close(fd) }
        let result = UnixSocketAddress.withSockaddr(address) { connect(fd, $0, $1) }
        if result == 0 { return .listening }
        switch errno {
        case EAGAIN, EINPROGRESS: return .listening
        case ECONNREFUSED, ENOENT: return .stale
        case let code: return .failed(code)
        }
    }
}
