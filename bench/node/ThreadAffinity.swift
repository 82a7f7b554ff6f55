#if canImport(Glibc)
import Glibc
#endif

/// Moves the calling thread to one CPU for the length of a call, and back.
///
/// For the one-core figure with the generator beside the node rather than on its core: the
/// process runs under `taskset -c 0`, so the node's threads and the physical limit's loop stay
/// on CPU 0, and the generator's thread alone runs on `--generator-cpu` while it loads the
/// node (docs/benchmarks.md, "The node alone on its core"). Glibc's Swift module does not
/// export `sched_setaffinity` (it needs _GNU_SOURCE), so the calls are looked up in libc; a
/// `cpu_set_t` is 1,024 bits, one per CPU, in 64-bit words.
enum ThreadAffinity {
    private typealias Call = @convention(c) (Int32, Int, UnsafeMutableRawPointer?) -> Int32
    private static let maskBytes = 128

    /// Both calls, looked up once; nil where libc lacks them.
    private static let calls: (get: Call, set: Call)? = {
        guard let get = dlsym(nil, "sched_getaffinity"), let set = dlsym(nil, "sched_setaffinity") else { return nil }
        return (unsafeBitCast(get, to: Call.self), unsafeBitCast(set, to: Call.self))
    }()

    /// Runs `body` on `cpu` when given, then restores the thread's former CPUs; without a CPU
    /// it just runs `body`. A CPU the thread cannot be moved to ends the run with a message.
    static func run<T>(onCPU cpu: Int?, _ body: () -> T) -> T {
        guard let cpu else { return body() }
        guard let calls else { endRun("--generator-cpu: libc has no sched_setaffinity") }
        guard (0..<(maskBytes * 8)).contains(cpu) else { endRun("--generator-cpu \(cpu): no such CPU") }
        var former = [UInt64](repeating: 0, count: maskBytes / 8)
        var wanted = [UInt64](repeating: 0, count: maskBytes / 8)
        wanted[cpu / 64] = UInt64(1) << UInt64(cpu % 64)
        // pid 0: the calling thread.
        guard former.withUnsafeMutableBytes({ calls.get(0, maskBytes, $0.baseAddress) }) == 0,
              wanted.withUnsafeMutableBytes({ calls.set(0, maskBytes, $0.baseAddress) }) == 0 else {
            endRun("--generator-cpu \(cpu): \(String(cString: strerror(errno)))")
        }
        defer { _ = former.withUnsafeMutableBytes { calls.set(0, maskBytes, $0.baseAddress) } }
        return body()
    }
}
