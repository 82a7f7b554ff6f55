import Foundation
import Testing

/// A small network where adversaries ground their identities around 8 victims' keys
/// (docs/routing.md §3.14): with the search outside rings the victims' records resolve, without
/// it most do not. 300 nodes with 45% adversaries put about 17 ground identities around each
/// key, more than the K = 16 closest places, as 20% does on 1,000 nodes (docs/benchmarks.md,
/// "Adversaries in the simulator"). Measured: 50 of 50 resolves with the search, 5 of 50
/// without (seed 5, debug build, 25 s and 43 s).
@Suite struct EclipseNetworkTests {
    private static func run(ringSearch: Bool) throws -> (resolved: Int, census: [String: Any]) {
        var arguments = ["--nodes", "300", "--loss", "0.05", "--adversaries", "0.45", "--behaviour", "eclipse",
                         "--lookups", "50", "--seed", "5"]
        if !ringSearch { arguments.append("--no-ring-search") }
        let report = try SimulatorRunTests.run(arguments)
        let parameters = try #require(report["parameters"] as? [String: Any])
        #expect(parameters["search_past_rings"] as? Bool == ringSearch)
        let resolve = try #require(report["resolve"] as? [String: Any])
        let single = try #require(resolve["single_path"] as? [String: Any])
        #expect(single["attempted"] as? Int == 50)
        return (try #require(single["succeeded"] as? Int), try #require(report["routing_census"] as? [String: Any]))
    }

    @Test func victimsResolveOnlyWithTheSearchOutsideRings() throws {
        let with = try Self.run(ringSearch: true)
        let without = try Self.run(ringSearch: false)
        // Honest nodes saw rings and stored outside them; with the search off they saw none.
        #expect((with.census["eclipse_rings_seen"] as? Int ?? 0) > 0)
        #expect((with.census["records_stored_past_rings"] as? Int ?? 0) > 0)
        #expect(without.census["eclipse_rings_seen"] as? Int == 0)
        #expect(without.census["records_stored_past_rings"] as? Int == 0)
        #expect(with.resolved >= 45, "with the search outside rings \(with.resolved)/50 resolved")
        #expect(with.resolved > without.resolved + 15, "\(with.resolved)/50 with, \(without.resolved)/50 without")
    }
}
