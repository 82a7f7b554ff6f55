import A2ALCore
import A2ALSocket
import A2ALThreads
import Glibc
import Synchronization

/// The daemon's data directory, opened for exclusive use.
///
/// Opening creates the directory (mode 0700, parents too) when it is missing and takes an
/// exclusive `flock` on `a2ald.lock`, held until `close()` (or until the process dies — the
/// kernel drops the lock, so a crashed daemon never leaves a stale lock behind). The lock file
/// holds the owner's pid so a second daemon can say who is in the way.
package final class DataDirectory: Sendable {
    package static let lockFileName = "a2ald.lock"

    package let path: String
    /// The lock file's descriptor while we hold the lock; nil once closed.
    private let lockDescriptor: SleepingLock<Int32?>

    package var identityKeyPath: String { file(FileKeyStore.fileName) }
    package var agentsPath: String { file("agents.json") }
    /// The changes to `agents.json` since it was last written (`AgentJournal`).
    package var agentsJournalPath: String { file("agents.journal") }
    package var publicationsPath: String { file("publications.json") }
    package var seenPeersPath: String { file("seen_peers") }
    package var peerCachePath: String { file("peers.json") }
    /// Which notes `mailbox.read` has shown and which are acked (`MailboxLedger`).
    package var mailboxPath: String { file(MailboxLedger.fileName) }
    package var lockPath: String { file(Self.lockFileName) }

    private init(path: String, lockDescriptor: Int32) {
        self.path = path
        self.lockDescriptor = SleepingLock(lockDescriptor)
    }

    deinit { close() }

    /// Opens (creating if needed) and locks the data directory at `path`.
    package static func open(_ path: String) throws(DataFileError) -> DataDirectory {
        guard !path.isEmpty else { throw DataFileError(path: path, reason: "empty data directory path") }
        let path = trimmingTrailingSlashes(path)
        // Keys are written there by path: nobody else may be able to replace its entries.
        if let reason = PathSafety.unsafeAncestor(of: path + "/x") {
            throw DataFileError(path: path, reason: "unsafe data directory: \(reason)")
        }
        do throws(FileError) {
            // Refuses a path that exists as something other than a directory.
            try AtomicFile.ensureDirectory(path, mode: 0o700)
        } catch {
            throw DataFileError(error)
        }
        let lockPath = (path == "/" ? "" : path) + "/" + lockFileName
        let fd = try lock(lockPath, directory: path)
        removeInterruptedWrites(in: path)
        return DataDirectory(path: path, lockDescriptor: fd)
    }

    /// Releases the lock. Safe to call more than once.
    package func close() {
        let fd = lockDescriptor.withLock { (fd: inout Int32?) -> Int32? in
            defer { fd = nil }
            return fd
        }
        // Closing the descriptor releases the flock.
        if let fd { _ = Glibc.close(fd) }
    }

    private func file(_ name: String) -> String {
        (path == "/" ? "" : path) + "/" + name
    }

    /// Deletes `.<name>.tmp-<random>` files that a crash left between writing and renaming
    /// (AtomicFile's temporaries). Only called with the lock held, so no live writer owns them.
    private static func removeInterruptedWrites(in path: String) {
        guard let dir = opendir(path) else { return }
        defer { closedir(dir) }
        var leftovers: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name.hasPrefix("."), name.contains(".tmp-") { leftovers.append(name) }
        }
        for name in leftovers { unlink(path + "/" + name) }
    }

    /// Opens the lock file, takes the lock without waiting and records our pid in it.
    private static func lock(_ lockPath: String, directory: String) throws(DataFileError) -> Int32 {
        var fd: Int32
        repeat {
            fd = Glibc.open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        } while fd < 0 && errno == EINTR
        guard fd >= 0 else {
            let code = errno
            throw DataFileError(FileError.systemError(lockPath, "cannot open lock file", code))
        }

        var locked: Int32
        repeat {
            locked = flock(fd, LOCK_EX | LOCK_NB)
        } while locked != 0 && errno == EINTR
        guard locked == 0 else {
            let code = errno
            let owner = readPid(fd)
            _ = Glibc.close(fd)
            guard code == EWOULDBLOCK else {
                throw DataFileError(FileError.systemError(lockPath, "cannot lock", code))
            }
            let who = owner.map { "another a2ald (pid \($0))" } ?? "another a2ald"
            throw DataFileError(path: lockPath, reason: "\(who) is using \(directory)")
        }

        // The pid is informative only (the lock is what counts), so a failure to write it is
        // not worth refusing to start over.
        let text = Array("\(getpid())\n".utf8)
        if ftruncate(fd, 0) == 0 {
            _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        }
        return fd
    }

    /// The pid the lock holder wrote, if the file holds one.
    private static func readPid(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        let text = String(decoding: buffer[0..<n], as: UTF8.self)
        return Int32(text.split(whereSeparator: { $0 == "\n" || $0 == " " }).first ?? "")
    }

    private static func trimmingTrailingSlashes(_ path: String) -> String {
        var path = Substring(path)
        while path.count > 1, path.hasSuffix("/") { path = path.dropLast() }
        return String(path)
    }
}

extension FileError {
    /// An error from errno, naming the file (`FileError.system` is internal to A2ALCore).
    static func systemError(_ path: String, _ what: String, _ code: Int32) -> FileError {
        FileError(path: path, reason: "\(what): \(String(cString: strerror(code)))", code: code)
    }
}
