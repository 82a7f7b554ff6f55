import Foundation
import Testing

/// A small lossy network with lying peers, run by the real `a2al-sim` (docs/benchmarks.md,
/// "Adversaries in the simulator"): the same queriers resolve the same targets with one path and
/// with disjoint paths (docs/routing.md §3.13), on the virtual clock, so the latencies are those
/// of the links and the lookup rules, not of this machine's load.
@Suite struct LossyAdversarialNetworkTests {
    private static func number(_ value: Any?) -> Double? {
        (value as? Double) ?? (value as? Int).map(Double.init)
    }

    /// Half the nodes lie, and 1,000 resolves: on 300 nodes a single path meets too few liars at
    /// 20% to fail reliably (0–2 failures in 300), and at 40% one path still resolved 597 of 600
    /// in one run, so the comparison could come out even on a lucky draw and show nothing.
    /// Measured at 50%: one path 957 and 973 of 1,000, three paths 987 and 998.
    @Test func disjointPathsBeatOnePathAndALostDatagramCostsUnder400ms() throws {
        let report = try SimulatorRunTests.run([
            "--nodes", "300", "--loss", "0.05", "--adversaries", "0.5", "--behaviour", "lie",
            "--lookups", "1000", "--disjoint-paths", "3", "--seed", "7",
        ])
        let parameters = try #require(report["parameters"] as? [String: Any])
        #expect((parameters["clock"] as? String)?.hasPrefix("virtual") == true)
        #expect(parameters["adversaries"] as? Int == 150)
        let resolve = try #require(report["resolve"] as? [String: Any])
        let single = try #require(resolve["single_path"] as? [String: Any])
        let disjoint = try #require(resolve["disjoint_paths"] as? [String: Any])
        for run in [single, disjoint] { #expect(run["attempted"] as? Int == 1000) }

        let singleOK = try #require(single["succeeded"] as? Int)
        let disjointOK = try #require(disjoint["succeeded"] as? Int)
        #expect(disjointOK > singleOK, "disjoint \(disjointOK)/1000 vs one path \(singleOK)/1000")
        #expect(disjointOK >= 850, "disjoint paths resolved \(disjointOK)/1000 with 50% liars")

        // What a lost datagram to or from the querier cost each resolve that met one: its time
        // minus that of the same resolve repeated at once without loss. Under 400 ms (the old
        // lookup's minimum per-request timeout) for both strategies. The resolve's whole time is
        // not the measure: at 50% liars it also holds the detours that liars cause anyway.
        for (name, run) in [("single", single), ("disjoint", disjoint)] {
            let cost = try #require(run["loss_cost_ms"] as? [String: Any])
            let samples = try #require(cost["samples"] as? Int)
            #expect(samples >= 20, "\(name): only \(samples) resolves met a loss; the check would show nothing")
            let worst = try #require(Self.number(cost["max"]))
            #expect(worst < 400, "\(name): a lost datagram cost a resolve \(worst) ms")
        }
    }
}
