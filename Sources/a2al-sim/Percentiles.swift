/// Order statistics over exact samples (no histogram buckets): the value at rank
/// ceil(p·n) in the sorted samples (nearest-rank definition), so p100 is the maximum and every
/// reported figure is a latency some resolve actually had.
struct Summary: Sendable {
    let count: Int
    let p50: Double
    let p95: Double
    let p99: Double
    let max: Double
    let mean: Double

    init?(_ samples: [Double]) {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        func rank(_ p: Double) -> Double {
            let r = Int((p * Double(sorted.count)).rounded(.up))
            return sorted[Swift.min(Swift.max(r, 1), sorted.count) - 1]
        }
        count = sorted.count
        p50 = rank(0.50)
        p95 = rank(0.95)
        p99 = rank(0.99)
        max = sorted[sorted.count - 1]
        mean = sorted.reduce(0, +) / Double(sorted.count)
    }
}

/// What lost datagrams cost the resolves that met one: how many there were and their latency
/// (p50, p99, max) in ms; null figures when none met a loss.
func lossSummaryJSON(_ latenciesMs: [Double]) -> JSON {
    guard let s = Summary(latenciesMs) else { return .object([("samples", .int(0))]) }
    return .object([("samples", .int(s.count)), ("p50", .double(s.p50, places: 3)), ("p99", .double(s.p99, places: 3)),
                    ("max", .double(s.max, places: 3))])
}
