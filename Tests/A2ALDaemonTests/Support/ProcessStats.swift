import A2ALTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What the kernel says about a running process (Linux `/proc`), for tests that bound the
/// daemon's memory and CPU under attack (docs/security.md, "Local clients").
enum ProcessStats {
    /// Resident set size in bytes (`VmRSS` of /proc/PID/status); nil once the process is gone.
    static func residentBytes(of pid: Int32) -> Int? {
        guard let status = read("/proc/\(pid)/status") else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, let kib = Int(fields[1]) else { return nil }
            return kib * 1024
        }
        return nil
    }

    /// User plus system CPU time the process has used, in seconds (`utime` + `stime` of
    /// /proc/PID/stat, fields 14 and 15, in clock ticks).
    static func cpuSeconds(of pid: Int32) -> Double? {
        guard let stat = read("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after the command name (which may hold spaces) start with field 3, the state.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return (user + system) / (ticks > 0 ? ticks : 100)
    }

    /// Descriptors the process has open (entries of /proc/PID/fd).
    static func openDescriptors(of pid: Int32) -> Int? {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"))?.count
    }

    /// Sets the open-file limit (soft and hard) of another process, as `prlimit(1)` does: it
    /// lets a test exhaust the daemon's descriptors after it started.
    static func setOpenFileLimit(of pid: Int32, to limit: Int) throws {
        // prlimit(2) is declared only under _GNU_SOURCE, which Swift's Glibc module does not
        // set; look it up by name as ChildProcess does for posix_spawn_file_actions_addclosefrom_np.
        typealias PRLimit = @convention(c) (pid_t, Int32, UnsafePointer<rlimit>?, UnsafeMutablePointer<rlimit>?) -> Int32
        guard let symbol = dlsym(nil, "prlimit") else {
            throw ContractFailure(description: "prlimit(2) is not available")
        }
        var wanted = rlimit(rlim_cur: rlim_t(limit), rlim_max: rlim_t(limit))
        let rc = unsafeBitCast(symbol, to: PRLimit.self)(pid, Int32(RLIMIT_NOFILE.rawValue), &wanted, nil)
        guard rc == 0 else {
            throw ContractFailure(description: "prlimit(\(pid), RLIMIT_NOFILE, \(limit)): \(String(cString: strerror(errno)))")
        }
    }

    private static func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }
}
