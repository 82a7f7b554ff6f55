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

    /// Runs `body` on `cpu` when given, then restores the thread's former CPUs; without a CPU
    /// it just runs `body`. A CPU the thread cannot be moved to ends the run with a message.
    static func run<T>(onCPU cpu: Int?, _ body: () -> T) -> T {
        guard let cpu else { return body() }
        guard (0..<(maskBytes * 8)).contains(cpu), let getter = dlsym(nil, "sched_getaffinity"),
              let setter = dlsym(nil, "sched_setaffinity") else { fail("--generator-cpu \(cpu): no such CPU or no sched_setaffinity") }
        let get = unsafeBitCast(getter, to: Call.self), set = unsafeBitCast(setter, to: Call.self)
        var former = [UInt64](repeating: 0, count: maskBytes / 8)
        var wanted = [UInt64](repeating: 0, count: maskBytes / 8)
        wanted[cpu / 64] = UInt64(1) << UInt64(cpu % 64)
        // pid 0: the calling thread.
        guard former.withUnsafeMutableBytes({ get(0, maskBytes, $0.baseAddress) }) == 0,
              wanted.withUnsafeMutableBytes({ set(0, maskBytes, $0.baseAddress) }) == 0 else {
            fail("--generator-cpu \(cpu): \(String(cString: strerror(errno)))")
        }
        defer { _ = former.withUnsafeMutableBytes { set(0, maskBytes, $0.baseAddress) } }
        return body()
    }

    private static func fail(_ message: String) -> Never {
        let line = "a2al-bench-node: \(message)\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
        exit(2)
    }
}
