#if canImport(Glibc)
import Glibc
#endif

/// The standard `process_*` metrics of Prometheus client libraries, read from /proc at scrape
/// time (Linux only; elsewhere nothing is written). A few small file reads per scrape.
enum ProcessMetrics {
    static func write(into out: inout PrometheusText) {
        #if os(Linux)
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        // statm: size resident shared ... (pages).
        if let statm = read("/proc/self/statm")?.split(separator: " "), statm.count > 1,
           let virtual = Double(statm[0]), let resident = Double(statm[1]) {
            out.family("process_resident_memory_bytes", .gauge, help: "Resident memory size in bytes.", resident * pageSize)
            out.family("process_virtual_memory_bytes", .gauge, help: "Virtual memory size in bytes.", virtual * pageSize)
        }
        // stat: the command name may hold spaces, so fields are counted after its closing ')'.
        // After it: state(3) ... utime(14) stime(15) ... starttime(22), numbered as in proc(5).
        if ticks > 0, let stat = read("/proc/self/stat"), let close = stat.lastIndex(of: ")") {
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 19, let utime = Double(fields[11]), let stime = Double(fields[12]) {
                out.family("process_cpu_seconds_total", .counter, help: "User and system CPU time spent in seconds.",
                           (utime + stime) / ticks)
                if let start = Double(fields[19]), let boot = bootTime() {
                    out.family("process_start_time_seconds", .gauge,
                               help: "Start time of the process since unix epoch in seconds.", boot + start / ticks)
                }
            }
        }
        if let fds = openDescriptors() {
            out.family("process_open_fds", .gauge, help: "Number of open file descriptors.", fds)
        }
        var limit = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 {
            out.family("process_max_fds", .gauge, help: "Maximum number of open file descriptors.", Double(limit.rlim_cur))
        }
        #endif
    }

    /// `btime` of /proc/stat: boot time in unix seconds.
    static func bootTime() -> Double? {
        guard let stat = read("/proc/stat") else { return nil }
        for line in stat.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst("btime ".count))
        }
        return nil
    }

    /// Entries of /proc/self/fd, less the one the listing itself holds open.
    static func openDescriptors() -> Int? {
        guard let dir = opendir("/proc/self/fd") else { return nil }
        defer { closedir(dir) }
        var count = 0
        while let entry = readdir(dir) {
            let first = withUnsafeBytes(of: entry.pointee.d_name) { $0.first ?? 0 }
            if first != UInt8(ascii: ".") { count += 1 }
        }
        return max(0, count - 1)
    }

    /// A small /proc file as text (at most 64 KiB), nil when unreadable.
    static func read(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 65_536 {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
