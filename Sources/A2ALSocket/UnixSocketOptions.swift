/// How the daemon's Unix socket is bound and how much each connection may ask of it.
package struct UnixSocketOptions: Sendable {
    /// Where the socket file lives; its parent directory is created (mode 0700) when missing.
    package var path: String
    /// Permission bits of the socket file, applied before any client can connect.
    package var mode: UInt16 = 0o600
    /// Group name or numeric gid the socket file is given before any client can connect.
    package var group: String? = nil
    /// Live connections served at once; further ones get the over-capacity line and are closed.
    package var maxConnections: Int = UnixSocketOptions.defaultMaxConnections
    /// Longest line (without its terminator) a client may send.
    package var maxLineBytes: Int = UnixSocketOptions.defaultMaxLineBytes
    /// Output a connection may have queued and not yet taken by the kernel before the daemon
    /// stops reading its requests; reading resumes once it drains to a quarter of this
    /// (docs/jsonrpc.md, "Framing and protocol"). One reply larger than this still goes out.
    package var maxOutputBytes: Int = UnixSocketOptions.defaultMaxOutputBytes
    /// How long a connection may stay over `maxOutputBytes` (its client not reading) before
    /// it is closed.
    package var outputStallTimeoutMs: Int = UnixSocketOptions.defaultOutputStallTimeoutMs

    /// A few hundred local clients fit well under a default open-file limit of 1024.
    package static let defaultMaxConnections = 256
    /// Far more than any request needs (records are at most a datagram), small enough that a
    /// client can not make the daemon buffer much for one line.
    package static let defaultMaxLineBytes = 1 << 20
    package static let defaultMaxOutputBytes = 4 << 20
    package static let defaultOutputStallTimeoutMs = 30_000

    package init(path: String, mode: UInt16 = 0o600, group: String? = nil, maxConnections: Int = UnixSocketOptions.defaultMaxConnections,
                maxLineBytes: Int = UnixSocketOptions.defaultMaxLineBytes, maxOutputBytes: Int = UnixSocketOptions.defaultMaxOutputBytes,
                outputStallTimeoutMs: Int = UnixSocketOptions.defaultOutputStallTimeoutMs) {
        self.path = path
        self.mode = mode
        self.group = group
        self.maxConnections = maxConnections
        self.maxLineBytes = maxLineBytes
        self.maxOutputBytes = maxOutputBytes
        self.outputStallTimeoutMs = outputStallTimeoutMs
    }

    /// Rejects settings that cannot work, naming the setting.
    func validate() throws(SocketServerError) {
        guard !path.isEmpty else {
            throw SocketServerError(path: path, reason: "socket path is empty")
        }
        guard mode & ~0o777 == 0 else {
            throw SocketServerError(path: path, reason: "socket mode 0o\(String(mode, radix: 8)) for \(path) "
                                    + "is not a permission mode (allowed: 0o000 ... 0o777)")
        }
        guard maxConnections >= 1 else {
            throw SocketServerError(path: path, reason: "maxConnections for \(path) must be at least 1, got \(maxConnections)")
        }
        guard maxOutputBytes >= 1 else {
            throw SocketServerError(path: path, reason: "maxOutputBytes for \(path) must be at least 1, got \(maxOutputBytes)")
        }
        guard outputStallTimeoutMs >= 1 else {
            throw SocketServerError(path: path, reason: "outputStallTimeoutMs for \(path) must be at least 1, "
                                    + "got \(outputStallTimeoutMs)")
        }
        guard maxLineBytes >= 1, maxLineBytes <= 1 << 30 else {
            throw SocketServerError(path: path, reason: "maxLineBytes for \(path) must be 1 ... \(1 << 30), "
                                    + "got \(maxLineBytes)")
        }
    }
}
