import Foundation
import Testing

/// Runs the built `a2al-sim` (a separate process: its virtual clock takes over the process-wide
/// executor hook, which a test process shared with other suites must not) on a tiny network.
@Suite struct SimulatorRunTests {
    /// `a2al-sim` next to this test binary (the build products directory), else nil.
    static func simulator() -> String? {
        let selfPath = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? (CommandLine.arguments.first ?? "")
        var dir = URL(fileURLWithPath: selfPath).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("a2al-sim").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir.deleteLastPathComponent()
        }
        return nil
    }

    /// Runs the simulator and returns its JSON report.
    static func run(_ arguments: [String]) throws -> [String: Any] {
        try start(arguments).report()
    }

    /// A simulator started and not yet waited for: several run side by side (each prints its
    /// report only at the end, which a pipe's buffer holds until it is read).
    struct Running {
        let process: Process
        let out: Pipe

        /// Waits for the run and returns its JSON report.
        func report() throws -> [String: Any] {
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }
    }

    /// Starts the simulator.
    static func start(_ arguments: [String]) throws -> Running {
        let path = try #require(simulator(), "build a2al-sim first (swift build --build-tests builds it)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        return Running(process: process, out: out)
    }

    @Test func aVirtualClockRunReportsFindNodeMemoryAndSimulatedTime() throws {
        let report = try Self.run(["--nodes", "30", "--lookups", "20", "--find-node-lookups", "10",
                                   "--stagger-start-s", "1", "--settle-seconds", "5", "--seed", "3"])
        let parameters = try #require(report["parameters"] as? [String: Any])
        #expect((parameters["clock"] as? String)?.hasPrefix("virtual") == true)
        let bootstrap = try #require(report["bootstrap"] as? [String: Any])
        #expect(bootstrap["failed"] as? Int == 0)
        #expect(bootstrap["joined"] as? Int == 30)

        // The headline memory figure is the joined node holding its records, not an empty one.
        let memory = try #require(report["memory"] as? [String: Any])
        #expect(report["memory_per_node_bytes"] as? Int == memory["per_node_after_publish_bytes"] as? Int)
        #expect((report["peak_rss_bytes"] as? Int ?? 0) > 0)

        let findNode = try #require(report["find_node"] as? [String: Any])
        #expect(findNode["attempted"] as? Int == 10)
        let recall = try #require(findNode["recall"] as? [String: Any])
        // Without loss on 30 nodes every lookup finds the true closest 16.
        #expect((recall["mean"] as? Double ?? (recall["mean"] as? Int).map(Double.init)) == 1)
        let packets = try #require(findNode["packets"] as? [String: Any])
        #expect((packets["mean"] as? Double ?? 0) > 0)

        // Virtual time: a resolve over 10 ms links takes whole round trips (0 when the querier
        // holds the record), however busy the CPU was; real time would add signing and verifying.
        let latency = try #require(report["latency_ms"] as? [String: Any])
        for key in ["p50", "p95", "max"] {
            let ms = try #require(latency[key] as? Double ?? (latency[key] as? Int).map(Double.init))
            #expect(ms.truncatingRemainder(dividingBy: 20) == 0, "\(key) = \(ms) ms")
        }
        #expect((latency["max"] as? Double ?? (latency["max"] as? Int).map(Double.init) ?? 0) >= 20)
        let phases = try #require(report["phases"] as? [String: Any])
        let total = try #require(phases["total"] as? [String: Any])
        #expect(total["simulated_s"] != nil && total["wall_s"] != nil && total["cpu_s"] != nil)
    }

    /// `--single-again` resolves the same targets a third time over one path, after the disjoint
    /// paths (docs/benchmarks.md, "Simulator"); without it the report has no third phase.
    @Test func anAdversaryRunWithSingleAgainReportsAThirdPhase() throws {
        let base = ["--nodes", "60", "--adversaries", "0.2", "--behaviour", "lie", "--lookups", "15", "--seed", "5"]
        let again = try #require(try Self.run(base + ["--single-again"])["resolve"] as? [String: Any])
        for phase in ["single_path", "disjoint_paths", "single_path_again"] {
            let run = try #require(again[phase] as? [String: Any], "no \(phase) in the report")
            #expect(run["attempted"] as? Int == 15, "\(phase)")
        }
        let plain = try #require(try Self.run(base)["resolve"] as? [String: Any])
        #expect(plain["single_path_again"] == nil)
        #expect(plain["disjoint_paths"] != nil)
    }
}
