#if canImport(Glibc)
import Glibc
#endif

/// Whether standard error is connected to the journal. systemd sets `JOURNAL_STREAM` to
/// "DEV:INO" of the stream it gives a service (systemd.exec(5)); only when stderr is still
/// that stream (not redirected by a wrapper) do lines go to journald as they are.
package enum JournalStream {
    package static func isStandardError(environment: [String: String]) -> Bool {
        guard let value = environment["JOURNAL_STREAM"], let expected = parse(value) else { return false }
        var info = stat()
        guard fstat(STDERR_FILENO, &info) == 0 else { return false }
        return UInt64(info.st_dev) == expected.device && UInt64(info.st_ino) == expected.inode
    }

    /// "DEV:INO", both decimal; nil for anything else.
    static func parse(_ value: String) -> (device: UInt64, inode: UInt64)? {
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return nil }
        return (device, inode)
    }
}
