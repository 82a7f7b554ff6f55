import A2ALDaemon
import A2ALRPC
import Foundation
import Testing

/// How long `agent.create` takes with 100 and with 3,000 agents held, through the method table
/// on a real data directory (fsyncs included). A measurement, not a test: it asserts nothing
/// about time, runs only when `A2AL_BENCH_AGENTS=1` is set, and prints one JSON line whose
/// figures go into docs/benchmarks.md ("Agent store").
@Suite struct AgentCreateTimingTests {
    static let enabled = ProcessInfo.processInfo.environment["A2AL_BENCH_AGENTS"] == "1"

    @Test(.enabled(if: enabled)) func agentCreateLatencyAt100And3000Agents() async throws {
        try await withCluster(PubDaemon(node: try await PubNetwork(ipBase: 0x0a09_0001).node(0))) { d in
            var latencies: [Duration] = []
            let clock = ContinuousClock()
            for i in 0..<3000 {
                let start = clock.now
                _ = try await d.call("agent.create", ["label": .string("bench-\(i)")])
                latencies.append(clock.now - start)
            }
            // The window around each size: creates that found 90…109 and 2,980…2,999 agents held.
            func summary(_ window: ArraySlice<Duration>) -> String {
                let ms = window.map { Double($0.components.attoseconds) / 1e15 + Double($0.components.seconds) * 1e3 }.sorted()
                let median = ms[ms.count / 2]
                return String(format: #"{"p50_ms": %.3f, "max_ms": %.3f}"#, median, ms.last ?? 0)
            }
            let total = latencies.reduce(Duration.zero, +)
            // The slowest of all: a create that also rewrote the snapshot.
            print(#"{"agent_create": {"at_100": \#(summary(latencies[90..<110])), "at_3000": \#(summary(latencies[2980..<3000])), "all": \#(summary(latencies[...])), "total_s": \#(Double(total.components.seconds) + Double(total.components.attoseconds) / 1e18)}}"#)
            #expect(d.agents.count == 3000)
        }
    }
}
