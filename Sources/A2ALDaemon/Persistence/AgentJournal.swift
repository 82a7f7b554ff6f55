import Glibc

/// `agents.journal`: the append-only log of agent changes made since `agents.json` was last
/// written (docs/jsonrpc.md, "Configuration and data directory").
///
/// Each change is one JSON line written at the end of the last complete line and made durable
/// with `fdatasync` before the change is acknowledged, so a change costs one short write
/// whatever the number of agents. A kill -9 or power cut mid-write leaves at most a partial last
/// line (no `\n`): the loader ignores it and reports it, and the first append truncates it away
/// before writing, so later lines never follow garbage.
///
/// The file is opened for each change and closed again, as `AtomicFile` does: a descriptor
/// kept open for the daemon's lifetime could be closed by a double `close` elsewhere in the
/// process and its number reused for another file, into which agent keys would then go.
struct AgentJournal: Sendable {
    let path: String
    /// Bytes of complete lines: where the next line goes.
    private(set) var length: Int
    /// Lines appended since the journal was last emptied (including those found at load).
    private(set) var lines: Int
    /// Device and inode of the file last written; nil until then.
    private var written: FileIdentity?
    /// Set at load and after a failed append: bytes past `length` (a torn tail, a partial line)
    /// must go before the next line.
    private var needsTruncation = true

    /// A journal whose first `length` bytes (`lines` lines) were read and found whole.
    init(path: String, length: Int, lines: Int) {
        self.path = path
        self.length = length
        self.lines = lines
    }

    /// Appends one line (ending in `\n`) durably. On failure the journal is as it was.
    mutating func append(_ line: [UInt8]) throws(DataFileError) {
        let fd = try open(holding: length)
        defer { _ = Glibc.close(fd) }
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

    /// Empties the journal (creating it if need be) once `agents.json` holds everything in it.
    /// A failure leaves it as it was, which is harmless: replaying lines the snapshot already
    /// holds changes nothing.
    mutating func empty() throws(DataFileError) {
        let fd = try open(holding: 0)
        defer { _ = Glibc.close(fd) }
        guard ftruncate(fd, 0) == 0 else { throw failure("cannot truncate to 0 bytes") }
        length = 0
        lines = 0
        needsTruncation = false
        guard fdatasync(fd) == 0 else { throw failure("fdatasync after truncating failed") }
    }

    /// True when the file at `path` is no longer the one written last — deleted, replaced or
    /// cut short while the daemon ran (or its directory removed): the lines in it are out of
    /// reach, so the store snapshots everything before starting a new journal.
    func isDetached() -> Bool {
        guard let written else { return false }
        var status = stat()
        guard stat(path, &status) == 0 else { return true }
        return FileIdentity(status) != written || Int(status.st_size) < length
    }

    // MARK: - Helpers

    /// The journal, opened for writing and created (mode 0600: it holds private keys) when
    /// missing. A file shorter than the `expected` bytes we know are in it is not ours to
    /// extend with zeros.
    private mutating func open(holding expected: Int) throws(DataFileError) -> Int32 {
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
            written = FileIdentity(status)
        } catch {
            _ = Glibc.close(fd)
            throw error
        }
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

/// Which file a path named when it was opened.
struct FileIdentity: Equatable, Sendable {
    let device: UInt64
    let inode: UInt64

    init(_ status: stat) {
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
    }
}
