#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// How many cores this process may run on: the CPUs of its affinity mask (so `taskset -c 0`
/// means one), capped by a cgroup CPU quota where NIO finds one. The inbound worker count
/// follows it (docs/architecture.md, "Inbound workers").
package enum UsableCores {
    package static var count: Int {
        let quota = System.coreCount
        guard let mask = allowedCPUs, mask > 0 else { return max(1, quota) }
        return max(1, min(mask, quota))
    }

    /// CPUs in the process's affinity mask, from the `Cpus_allowed:` line of /proc/self/status
    /// (hex words separated by commas); nil where there is no such file. Read from /proc because
    /// Glibc's Swift module does not export sched_getaffinity (it needs _GNU_SOURCE).
    static var allowedCPUs: Int? {
        guard let file = fopen("/proc/self/status", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 1024)
        let prefix = Array("Cpus_allowed:".utf8)
        while fgets(&line, Int32(line.count), file) != nil {
            let bytes = line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            guard bytes.starts(with: prefix) else { continue }
            return bytes.dropFirst(prefix.count).reduce(0) { count, byte in
                guard let digit = hexValue(byte) else { return count }
                return count + digit.nonzeroBitCount
            }
        }
        return nil
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A")) + 10
        default: return nil
        }
    }
}
