#if canImport(Glibc)
import Glibc
#endif
import A2ALDHT

/// The benchmark's command line, and the configuration it prints with its figures: build mode,
/// cores and affinity, the node's inbound limits, the load's shape.
struct BenchSettings {
    /// Seconds of load per message type, split over `rounds` rounds (AlternatingRounds).
    var seconds = 3.0
    var rounds = 6
    var records = 100_000
    /// Loopback source addresses (127.0.0.2 on), one identity and one socket each.
    var sources = 128
    /// Requests in flight over all sources.
    var window = 256
    var requestsPerSource = 64
    /// Inbound workers of the node's transport; nil: the transport's default (one per usable core).
    var inboundWorkers: Int?
    /// The generator sends and receives in batches (`LoadGenerator.runBatched`), pausing this
    /// long between them; false: one datagram per system call, woken by every answer.
    var batched = true
    var pauseSeconds = 0.001
    /// The physical limit verifies distinct requests, as the node does; true: one request's
    /// signature over and over, the definition before 2026-12-07 (kept to compare the two).
    var limitIdenticalInput = false
    /// The CPU the generator's thread moves to while it loads the node (`ThreadAffinity`); nil:
    /// it shares the process's CPUs with the node.
    var generatorCPU: Int?

    static func parse(_ args: [String]) -> BenchSettings {
        func value(_ name: String) -> Double? {
            guard let i = args.firstIndex(of: name), i + 1 < args.count, let v = Double(args[i + 1]), v > 0 else { return nil }
            return v
        }
        /// A flag naming one of two choices: true for the first, false for the second, nil when
        /// absent; anything else ends the run with a message.
        func choice(_ name: String, _ first: String, _ second: String) -> Bool? {
            guard let i = args.firstIndex(of: name) else { return nil }
            switch i + 1 < args.count ? args[i + 1] : "" {
            case first: return true
            case second: return false
            default:
                endRun("\(name) takes \(first) or \(second)")
            }
        }
        var s = BenchSettings()
        s.seconds = value("--seconds") ?? s.seconds
        s.rounds = value("--rounds").map { max(1, Int($0)) } ?? s.rounds
        s.records = value("--records").map { Int($0) } ?? s.records
        s.sources = min(4096, value("--sources").map { Int($0) } ?? s.sources)
        s.window = max(1, value("--window").map { Int($0) } ?? s.window)
        s.batched = choice("--generator", "batched", "single") ?? s.batched
        s.pauseSeconds = value("--pause-us").map { $0 / 1e6 } ?? s.pauseSeconds
        s.limitIdenticalInput = choice("--limit-input", "identical", "distinct") ?? s.limitIdenticalInput
        if let i = args.firstIndex(of: "--inbound-workers"), i + 1 < args.count, let n = Int(args[i + 1]), n >= 1 {
            s.inboundWorkers = n
        }
        if let i = args.firstIndex(of: "--generator-cpu") {
            guard i + 1 < args.count, let cpu = Int(args[i + 1]), cpu >= 0 else { endRun("--generator-cpu takes a CPU number") }
            s.generatorCPU = cpu
        }
        return s
    }

    func json(inboundWorkers workers: Int) -> String {
        #if DEBUG
        let build = "debug"
        #else
        let build = "release"
        #endif
        let affinity = Self.affinity()
        return """
            {"build":"\(build)","cpus_online":\(sysconf(Int32(_SC_NPROCESSORS_ONLN))),\
            "cpus_allowed_list":"\(affinity)",\
            "inbound_workers":\(workers),"inbound_workers_note":"threads that each read the node's socket and answer what they read",\
            "seconds_per_load":\(seconds),"rounds_per_load":\(rounds),"load_sources":\(sources),"load_source_addresses":"127.0.0.2 and up, one per source",\
            "requests_in_flight":\(window),"generator":"one thread in this process, one wildcard socket, source address per request by IP_PKTINFO",\
            "generator_cpu":\(generatorCPU.map { "\"\($0), the node and the limit on cpus_allowed_list\"" } ?? "\"any of cpus_allowed_list, shared with the node\""),\
            "generator_mode":"\(batched ? "batched: recvmmsg takes every answer waiting, sendmmsg sends as many requests, then a \(Int(pauseSeconds * 1e6)) us pause" : "single: one recv and one sendmsg per answer")",\
            "rate_limits":{"production_defaults":true,\
            "per_ip_per_s":\(NodeConstants.inboundRatePerIP),"per_ip_burst":\(NodeConstants.inboundBurstPerIP),\
            "global_per_s":\(NodeConstants.inboundRateGlobal),"global_burst":\(NodeConstants.inboundBurstGlobal)},\
            "physical_limit_input":"\(limitIdenticalInput ? "identical: one request's signature verified over and over" : "distinct: \(LimitWorkload.requestCount) requests, each its own key, tx_id and signature, verified in turn")",\
            "routing_limits":"unlimited (200 made-up contacts in one /24 for FIND_NODE answers)",\
            "records":\(records)}
            """
    }

    /// The CPUs this process may run on, as /proc/self/status lists them (`taskset -c 0`: "0").
    static func affinity() -> String {
        guard let file = fopen("/proc/self/status", "r") else { return "unknown" }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 1024)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard text.hasPrefix("Cpus_allowed_list:") else { continue }
            return String(text.dropFirst("Cpus_allowed_list:".count).filter { !$0.isWhitespace })
        }
        return "unknown"
    }
}

/// Ends the run on a usage or set-up fault: the message on stderr, exit status 2.
func endRun(_ message: String) -> Never {
    let line = "a2al-bench-node: \(message)\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
    exit(2)
}

func elapsedSeconds(since start: ContinuousClock.Instant) -> Double { (ContinuousClock.now - start).seconds }

/// CPU seconds consumed by the calling thread, or by the whole process. CPU time excludes the
/// time a shared VM steals, so CPU-normalised ratios stay steady where wall-clock ones drift.
func cpuSeconds(_ clock: clockid_t) -> Double {
    var ts = timespec()
    clock_gettime(clock, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Resident set size of this process in bytes (/proc/self/statm).
func residentBytes() -> Int {
    guard let f = fopen("/proc/self/statm", "r") else { return 0 }
    defer { fclose(f) }
    var size = 0, resident = 0
    guard withUnsafeMutablePointer(to: &size, { s in
        withUnsafeMutablePointer(to: &resident) { r in
            withVaList([s, r]) { vfscanf(f, "%ld %ld", $0) }
        }
    }) == 2 else { return 0 }
    return resident * Int(sysconf(Int32(_SC_PAGESIZE)))
}
