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
    /// in one run. The simulator is not deterministic between runs (its threads interleave
    /// differently), and on seed 7 one path resolved 997 or 998 of 1,000 in half the runs, a
    /// margin of two; seed 8 over eight runs: one path 957–991, three paths 971–1,000, three
    /// paths ahead by 9–19 every time. How many resolve at all depends on how deep the liars got
    /// into the honest tables while the network joined (a run at 968 had them at 0.53 of the
    /// honest routing entries, runs at 984 and above at 0.44–0.49), and one test run of about
    /// twenty resolved only 782. So the floor below only catches a collapse, not a bad draw.
    @Test func disjointPathsBeatOnePathAndALostDatagramCostsUnder400ms() throws {
        let report = try SimulatorRunTests.run([
            "--nodes", "300", "--loss", "0.05", "--adversaries", "0.5", "--behaviour", "lie",
            "--lookups", "1000", "--disjoint-paths", "3", "--seed", "8",
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
        #expect(disjointOK >= 700, "disjoint paths resolved \(disjointOK)/1000 with 50% liars")

        // Publishers catch liars withholding their records and ban them, and never an honest
        // node (docs/security.md, "Peers that drop records"; one run: 1,823 caught, all 150
        // liars banned somewhere, no honest node).
        let census = try #require(report["routing_census"] as? [String: Any])
        let caught = try #require(census["withholding_replicas_caught"] as? Int)
        let bannedLiars = try #require(census["adversaries_banned_somewhere"] as? Int)
        #expect(caught > 0, "no publisher caught a liar withholding its record")
        #expect(bannedLiars > 75, "only \(bannedLiars) of 150 liars banned anywhere")
        #expect(census["honest_nodes_banned_somewhere"] as? Int == 0, "an honest node was banned for withholding")

        // What a lost datagram to or from the querier cost: a resolve's time minus that of the
        // same resolve repeated at once without loss, divided by the datagrams it lost. Under
        // 400 ms (the old lookup's minimum per-request timeout, which every lost datagram cost)
        // for both strategies, and under 400 ms per resolve for 99% of them. Not the largest
        // cost per resolve: the repeat walks its own way from a table the first walk has
        // changed, and at 50% liars two walks to one key can differ by 20 requests (measured:
        // 505 ms and 34 datagrams sent, repeated in 200 ms and 23), so that
        // figure is as much the liars' doing as the loss's.
        for (name, run) in [("single", single), ("disjoint", disjoint)] {
            let perResolve = try #require(run["loss_cost_ms"] as? [String: Any])
            let perDatagram = try #require(run["loss_cost_per_lost_datagram_ms"] as? [String: Any])
            let samples = try #require(perDatagram["samples"] as? Int)
            #expect(samples >= 20, "\(name): only \(samples) resolves met a loss; the check would show nothing")
            let worst = try #require(Self.number(perDatagram["max"]))
            #expect(worst < 400, "\(name): a lost datagram cost a resolve \(worst) ms")
            let p99 = try #require(Self.number(perResolve["p99"]))
            #expect(p99 < 400, "\(name): losses cost 1% of resolves \(p99) ms or more")
        }
    }
}
