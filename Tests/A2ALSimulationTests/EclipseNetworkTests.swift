import Foundation
import Testing

/// A small network where adversaries ground their identities around 8 victims' keys
/// (docs/routing.md §3.14): with the search outside rings the victims' records resolve, without
/// it most do not. 300 nodes with 45% adversaries put about 17 ground identities around each
/// key, more than the K = 16 closest places, as 20% does on 1,000 nodes (docs/benchmarks.md,
/// "Adversaries in the simulator"). Measured over 50 resolves on seeds 5, 6 and 7: 50, 50 and
/// 50 with the search, 5, 5 and 0 without; over these 30 on seed 5 (the simulator is not
/// deterministic between runs), four runs with: 30, 30, 30 and once 14 (about half the victims'
/// rings missed; not understood yet), three without: 7, 0 and 5. So the floor catches a
/// search that does nothing, not a bad draw (debug build, about 40 s side by side).
@Suite struct EclipseNetworkTests {
    private static func arguments(ringSearch: Bool) -> [String] {
        ["--nodes", "300", "--loss", "0.05", "--adversaries", "0.45", "--behaviour", "eclipse",
         "--lookups", "30", "--seed", "5"] + (ringSearch ? [] : ["--no-ring-search"])
    }

    private static func outcome(_ report: [String: Any], ringSearch: Bool) throws -> (resolved: Int, census: [String: Any]) {
        let parameters = try #require(report["parameters"] as? [String: Any])
        #expect(parameters["search_past_rings"] as? Bool == ringSearch)
        let resolve = try #require(report["resolve"] as? [String: Any])
        let single = try #require(resolve["single_path"] as? [String: Any])
        #expect(single["attempted"] as? Int == 30)
        return (try #require(single["succeeded"] as? Int), try #require(report["routing_census"] as? [String: Any]))
    }

    @Test func victimsResolveOnlyWithTheSearchOutsideRings() throws {
        // Both runs side by side: the test suite runs one test at a time, so two cores are free.
        let withRun = try SimulatorRunTests.start(Self.arguments(ringSearch: true))
        let withoutRun = try SimulatorRunTests.start(Self.arguments(ringSearch: false))
        let with = try Self.outcome(try withRun.report(), ringSearch: true)
        let without = try Self.outcome(try withoutRun.report(), ringSearch: false)
        // Honest nodes saw rings and stored outside them; with the search off they saw none.
        #expect((with.census["eclipse_rings_seen"] as? Int ?? 0) > 0)
        #expect((with.census["records_stored_past_rings"] as? Int ?? 0) > 0)
        #expect(without.census["eclipse_rings_seen"] as? Int == 0)
        #expect(without.census["records_stored_past_rings"] as? Int == 0)
        #expect(with.resolved >= 12, "with the search outside rings \(with.resolved)/30 resolved")
        #expect(with.resolved >= without.resolved + 5, "\(with.resolved)/30 with, \(without.resolved)/30 without")
    }
}
