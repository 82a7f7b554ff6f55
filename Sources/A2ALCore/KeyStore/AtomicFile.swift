import Glibc

/// A file-system failure, always naming the file, so that an operator reading a log line knows
/// which file in the data directory is at fault (docs/jsonrpc.md, "Configuration and data
/// directory").
public struct FileError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    /// The errno behind the failure, if any; lets callers tell "missing" from "broken".
    public var code: Int32?

    public init(path: String, reason: String, code: Int32? = nil) {
        self.path = path
        self.reason = reason
        self.code = code
    }

    public var description: String { "\(path): \(reason)" }

    /// True when the file (or a directory on its path) does not exist.
    public var isNotFound: Bool { code == ENOENT }

    /// An error from the current errno: "<what>: <strerror>". `what` is an autoclosure so
    /// that errno is read before any string is built (allocation may disturb errno).
    static func system(_ path: String, _ what: @autoclosure () -> String, _ code: Int32 = errno) -> FileError {
        // glibc's strerror is MT-safe since 2.32 (Debian 12 ships 2.36).
        FileError(path: path, reason: "\(what()): \(String(cString: strerror(code)))", code: code)
    }
}

/// Crash-safe whole-file writes and bounded reads.
///
/// A write goes to a fresh temporary file in the target's directory, is fsynced, renamed over
/// the target and the directory is fsynced. A kill -9 or power cut at any moment therefore
/// leaves either the old content or the new, never a torn file; at worst a stray temporary
/// (named `.<name>.tmp-<random>`) remains.
public enum AtomicFile {
    /// Writes `bytes` to `path` atomically, with permissions exactly `mode`.
    ///
    /// With `replaceExisting` false the write fails (code EEXIST) instead of replacing an
    /// existing file; the final step is then link(2), which is atomic against other processes
    /// doing the same, so two racing writers cannot clobber each other (used for keys).
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600,
                             replaceExisting: Bool = true) throws(FileError) {
        let (directory, name) = try split(path)
        let (fd, temp) = try createTemporary(directory: directory, name: name, mode: mode, for: path)
        var descriptorOpen = true
        do throws(FileError) {
            try writeAll(fd, bytes, path: temp)
            // The umask may have narrowed `mode` at creation; callers ask for an exact mode.
            guard fchmod(fd, mode) == 0 else { throw .system(temp, "fchmod failed") }
            guard fsync(fd) == 0 else { throw .system(temp, "fsync failed") }
            descriptorOpen = false
            // On Linux the descriptor is released even when close reports an error.
            guard close(fd) == 0 else { throw .system(temp, "close failed") }
            if replaceExisting {
                guard rename(temp, path) == 0 else { throw .system(path, "rename from \(temp) failed") }
            } else {
                guard link(temp, path) == 0 else {
                    let code = errno
                    throw code == EEXIST
                        ? FileError(path: path, reason: "already exists", code: EEXIST)
                        : .system(path, "link from \(temp) failed", code)
                }
                // Best effort: the content is already in place under its real name.
                _ = unlink(temp)
            }
        } catch {
            if descriptorOpen { _ = close(fd) }
            _ = unlink(temp)
            throw error
        }
        // Without this the rename itself may not survive a crash.
        try syncDirectory(directory)
    }

    /// Reads a whole regular file of at most `maxBytes` bytes.
    public static func read(_ path: String, maxBytes: Int = 16 << 20) throws(FileError) -> [UInt8] {
        try read(path, maxBytes: maxBytes, check: { _ in nil })
    }

    /// As `read(_:maxBytes:)`, but `check` sees the opened file's status first and may reject
    /// it by returning a reason. Checking the open descriptor (not the path) means the bytes
    /// read are those of the file that was checked.
    static func read(_ path: String, maxBytes: Int, check: (stat) -> String?) throws(FileError) -> [UInt8] {
        let fd = try openRetrying(path, O_RDONLY | O_CLOEXEC)
        defer { _ = close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw .system(path, "fstat failed") }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw FileError(path: path, reason: "not a regular file")
        }
        if let rejection = check(status) { throw FileError(path: path, reason: rejection) }
        guard status.st_size <= maxBytes else {
            throw FileError(path: path, reason: "file is \(status.st_size) bytes, more than the limit of \(maxBytes)")
        }
        // Read to end of file rather than trusting st_size, but never past the limit, in case
        // the file grows while being read.
        var out = [UInt8]()
        out.reserveCapacity(Int(status.st_size))
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .system(path, "read failed")
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
            guard out.count <= maxBytes else {
                throw FileError(path: path, reason: "file is more than the limit of \(maxBytes) bytes")
            }
        }
        return out
    }

    /// Creates `path` and any missing parents as directories with exactly `mode`. Directories
    /// that already exist are left as they are.
    public static func ensureDirectory(_ path: String, mode: mode_t = 0o700) throws(FileError) {
        guard !path.isEmpty else { throw FileError(path: path, reason: "empty directory path") }
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            let parent = prefix.isEmpty ? "." : prefix
            prefix += prefix.isEmpty || prefix.hasSuffix("/") ? String(component) : "/" + component
            if try isDirectory(prefix) { continue }
            if mkdir(prefix, mode) != 0 {
                // Another process may have created it in between: that is fine.
                guard errno == EEXIST, try isDirectory(prefix) else {
                    throw .system(prefix, "cannot create directory")
                }
                continue
            }
            // mkdir's mode is filtered by the umask; make it exactly what was asked.
            guard chmod(prefix, mode) == 0 else { throw .system(prefix, "chmod failed") }
            // Make the new directory entry itself durable.
            try syncDirectory(parent)
        }
    }

    // MARK: - Helpers

    /// True if `path` exists and is a directory (following symlinks); false if it does not
    /// exist; an error if it is something else or cannot be examined.
    private static func isDirectory(_ path: String) throws(FileError) -> Bool {
        var status = stat()
        guard stat(path, &status) == 0 else {
            if errno == ENOENT { return false }
            throw .system(path, "cannot examine")
        }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            throw FileError(path: path, reason: "exists but is not a directory", code: ENOTDIR)
        }
        return true
    }

    /// Splits a file path into its directory ("." when none) and last component.
    private static func split(_ path: String) throws(FileError) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else {
            guard !path.isEmpty, path != ".", path != ".." else {
                throw FileError(path: path, reason: "not a file path")
            }
            return (".", path)
        }
        let name = String(path[path.index(after: slash)...])
        guard !name.isEmpty, name != ".", name != ".." else {
            throw FileError(path: path, reason: "not a file path")
        }
        let directory = slash == path.startIndex ? "/" : String(path[..<slash])
        return (directory, name)
    }

    /// Opens a new, unique temporary file next to the target. O_EXCL makes the name ours
    /// alone; the random suffix keeps concurrent writers of the same target apart.
    private static func createTemporary(directory: String, name: String, mode: mode_t,
                                        for path: String) throws(FileError) -> (Int32, String) {
        for _ in 0..<8 {
            let suffix = Hex.encode(SecureRandom.bytes(8))
            let temp = (directory == "/" ? "/" : directory + "/") + ".\(name).tmp-\(suffix)"
            let fd = Glibc.open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
            if fd >= 0 { return (fd, temp) }
            let code = errno
            if code == EEXIST || code == EINTR { continue }
            throw .system(path, "cannot create temporary file in \(directory)", code)
        }
        throw FileError(path: path, reason: "cannot find a free temporary file name in \(directory)")
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(FileError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return Glibc.write(fd, base + offset, buffer.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw .system(path, "write failed")
            }
            // A regular file never legitimately accepts zero bytes; do not spin.
            guard n > 0 else { throw FileError(path: path, reason: "write made no progress") }
            offset += n
        }
    }

    private static func syncDirectory(_ directory: String) throws(FileError) {
        let fd = try openRetrying(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { _ = close(fd) }
        // Some file systems cannot fsync a directory (EINVAL); nothing more can be done there.
        guard fsync(fd) == 0 || errno == EINVAL else { throw .system(directory, "fsync of directory failed") }
    }

    private static func openRetrying(_ path: String, _ flags: Int32) throws(FileError) -> Int32 {
        while true {
            let fd = Glibc.open(path, flags)
            if fd >= 0 { return fd }
            if errno == EINTR { continue }
            throw .system(path, "cannot open")
        }
    }
}
