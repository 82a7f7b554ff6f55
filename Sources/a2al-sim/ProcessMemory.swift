#if canImport(Glibc)
import Glibc
#endif

/// Resident set size of this process in bytes, from /proc/self/statm (second field, in pages).
/// Returns nil where /proc is unavailable, so the report says "unknown" instead of a fake zero.
func residentBytes() -> Int? {
    guard let f = fopen("/proc/self/statm", "r") else { return nil }
    defer { fclose(f) }
    var buffer = [CChar](repeating: 0, count: 256)
    guard fgets(&buffer, Int32(buffer.count), f) != nil else { return nil }
    let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let fields = text.split(separator: " ")
    guard fields.count >= 2, let pages = Int(fields[1]) else { return nil }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// Gives freed memory back to the kernel before a measurement, so the RSS delta reflects what
/// is live rather than what malloc happens to cache. glibc's `malloc_trim` is not exported by
/// the Glibc module, so it is looked up at run time (and skipped where it does not exist).
func trimHeap() {
    #if canImport(Glibc)
    typealias Trim = @convention(c) (Int) -> Int32
    guard let symbol = dlsym(nil, "malloc_trim") else { return }
    _ = unsafeBitCast(symbol, to: Trim.self)(0)
    #endif
}

/// Peak resident set size of this process in bytes (VmHWM in /proc/self/status), nil where
/// /proc is unavailable.
func peakResidentBytes() -> Int? {
    guard let f = fopen("/proc/self/status", "r") else { return nil }
    defer { fclose(f) }
    var buffer = [CChar](repeating: 0, count: 512)
    while fgets(&buffer, Int32(buffer.count), f) != nil {
        let line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard line.hasPrefix("VmHWM:") else { continue }
        let kilobytes = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Int($0) }
        return kilobytes.map { $0 * 1024 }
    }
    return nil
}
