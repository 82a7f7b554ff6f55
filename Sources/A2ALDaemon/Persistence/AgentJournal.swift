import Glibc

/// `agents.journal`: the append-only log of agent changes made since `agents.json` was last
/// written (docs/jsonrpc.md, "Configuration and data directory").
///
/// Each change is one JSON line written at the end of the last complete line and made durable
/// with `fdatasync` before the change is acknowledged, so a change costs one short write
/// whatever the number of agents. A kill -9 or power cut mid-write leaves at most a partial last
/// line (no `\n`): the loader ignores it and reports it, and the first append truncates it away
/// before writing, so later lines never follow garbage.
struct AgentJournal: Sendable {
    let path: String
    /// Bytes of complete lines: where the next line goes.
    private(set) var length: Int
    /// Lines appended since the journal was last emptied (including those found at load).
    private(set) var lines: Int
    private var descriptor: Int32?
    /// Set after a failed append: bytes past `length` may be garbage and must go first.
    private var needsTruncation: Bool

    /// A journal whose first `length` bytes (`lines` lines) were read and found whole.
    init(path: String, length: Int, lines: Int) {
        self.path = path
        self.length = length
        self.lines = lines
        descriptor = nil
        // What lies past the complete lines (a torn tail) goes before the first append.
        needsTruncation = true
    }

    /// Appends one line (ending in `\n`) durably. On failure the journal is as it was.
    mutating func append(_ line: [UInt8]) throws(DataFileError) {
        let fd = try open(holding: length)
        do throws(DataFileError) {
            if needsTruncation {
                guard ftruncate(fd, off_t(length)) == 0 else { throw failure("cannot truncate to \(length) bytes") }
                needsTruncation = false
            }
            try write(fd, line, at: length)
            guard fdatasync(fd) == 0 else { throw failure("fdatasync failed") }
        } catch {
            // A partial (or unsynced) line must not stay in front of the next one.
            needsTruncation = true
            _ = ftruncate(fd, off_t(length))
            throw error
        }
        length += line.count
        lines += 1
    }

    /// Empties the journal once `agents.json` holds everything in it. A failure leaves it as it
    /// was, which is harmless: replaying lines the snapshot already holds changes nothing.
    mutating func empty() throws(DataFileError) {
        let fd = try open(holding: 0)
        guard ftruncate(fd, 0) == 0 else { throw failure("cannot truncate to 0 bytes") }
        length = 0
        lines = 0
        needsTruncation = false
        guard fdatasync(fd) == 0 else { throw failure("fdatasync after truncating failed") }
    }

    /// True when the open journal is no longer the file at `path` (deleted or replaced while
    /// the daemon ran, or its directory removed): appending to it would write nowhere anyone
    /// reads, so the store snapshots everything and starts a new journal instead.
    func isDetached() -> Bool {
        guard let fd = descriptor else { return false }
        var open = stat(), named = stat()
        guard fstat(fd, &open) == 0, open.st_nlink > 0, stat(path, &named) == 0 else { return true }
        return open.st_ino != named.st_ino || open.st_dev != named.st_dev
    }

    mutating func close() {
        if let fd = descriptor { _ = Glibc.close(fd) }
        descriptor = nil
        needsTruncation = true
    }

    // MARK: - Helpers

    /// The open journal, created (mode 0600: it holds private keys) on first use. A file
    /// shorter than the `expected` bytes we know are in it is not ours to extend with zeros.
    private mutating func open(holding expected: Int) throws(DataFileError) -> Int32 {
        if let fd = descriptor { return fd }
        var created = false
        var fd = Self.openRetrying(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW)
        if fd < 0 && errno == ENOENT {
            fd = Self.openRetrying(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
            created = fd >= 0
        }
        guard fd >= 0 else { throw failure("cannot open") }
        do throws(DataFileError) {
            var status = stat()
            guard fstat(fd, &status) == 0 else { throw failure("fstat failed") }
            guard status.st_mode & S_IFMT == S_IFREG else { throw DataFileError(path: path, reason: "not a regular file") }
            guard Int(status.st_size) >= expected else {
                throw DataFileError(path: path, reason: "is \(status.st_size) bytes, fewer than the \(expected) written to it "
                                    + "(replaced while the daemon ran?)")
            }
            if created {
                // The umask may have narrowed the mode; and the new name must survive a crash.
                guard fchmod(fd, 0o600) == 0 else { throw failure("fchmod failed") }
                try Self.syncDirectory(of: path)
            }
        } catch {
            _ = Glibc.close(fd)
            throw error
        }
        descriptor = fd
        return fd
    }

    private func write(_ fd: Int32, _ bytes: [UInt8], at offset: Int) throws(DataFileError) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return pwrite(fd, base + done, buffer.count - done, off_t(offset + done))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("write failed")
            }
            guard n > 0 else { throw DataFileError(path: path, reason: "write made no progress") }
            done += n
        }
    }

    private func failure(_ what: String) -> DataFileError {
        let code = errno
        return DataFileError(path: path, reason: "\(what): \(String(cString: strerror(code)))")
    }

    private static func openRetrying(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
        while true {
            let fd = Glibc.open(path, flags, mode)
            if fd >= 0 || errno != EINTR { return fd }
        }
    }

    /// Makes a newly created entry in the journal's directory durable.
    private static func syncDirectory(of path: String) throws(DataFileError) {
        let directory = path.lastIndex(of: "/").map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let fd = openRetrying(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            throw DataFileError(path: directory, reason: "cannot open: \(String(cString: strerror(code)))")
        }
        defer { _ = Glibc.close(fd) }
        // Some file systems cannot fsync a directory (EINVAL); nothing more can be done there.
        guard fsync(fd) == 0 || errno == EINVAL else {
            let code = errno
            throw DataFileError(path: directory, reason: "fsync of directory failed: \(String(cString: strerror(code)))")
        }
    }
}
