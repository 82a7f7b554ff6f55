import A2ALDHT
import A2ALSimulation

/// The wire profile of every node: `legacy` of them (rounded) run `.v017`, `go029` run
/// `.v029`, the rest `.current`, on positions drawn from their own stream of the seed, so the
/// same `--seed` gives the same assignment and a run without reference nodes draws nothing.
func assignProfiles(count n: Int, legacyFraction: Double, go029Fraction: Double, seed: UInt64) -> [WireProfile] {
    var profiles = [WireProfile](repeating: .current, count: n)
    let legacy = min(n, Int((legacyFraction * Double(n)).rounded()))
    let go029 = min(n - legacy, Int((go029Fraction * Double(n)).rounded()))
    guard legacy + go029 > 0 else { return profiles }
    var rng = SplitMix64(seed: seed ^ 0x0017_0029_C0DE_F00D)
    var order = Array(0..<n)
    order.shuffle(using: &rng)
    for i in order.prefix(legacy) { profiles[i] = .v017 }
    for i in order.dropFirst(legacy).prefix(go029) { profiles[i] = .v029 }
    return profiles
}

/// Live node indices grouped by wire profile, with seeded random picks among them.
struct ProfileIndex {
    let profiles: [WireProfile]
    private let live: [WireProfile: [Int]]

    init(profiles: [WireProfile], closed: Set<Int>) {
        self.profiles = profiles
        var live: [WireProfile: [Int]] = [:]
        for (i, p) in profiles.enumerated() where !closed.contains(i) { live[p, default: []].append(i) }
        self.live = live
    }

    /// Profiles with at least one live node, in declaration order.
    var present: [WireProfile] { WireProfile.allCases.filter { !(live[$0] ?? []).isEmpty } }

    func liveNodes(_ p: WireProfile) -> [Int] { live[p] ?? [] }

    /// Every live node, in index order.
    var allLive: [Int] { present.flatMap(liveNodes).sorted() }

    /// A random live node of `p` that `accept` admits, or nil when there is none.
    func pick(_ p: WireProfile, rng: inout SplitMix64, where accept: (Int) -> Bool = { _ in true }) -> Int? {
        let candidates = liveNodes(p).filter(accept)
        guard !candidates.isEmpty else { return nil }
        return candidates[Int.random(in: 0..<candidates.count, using: &rng)]
    }

    /// Up to `count` distinct random live nodes of `p`.
    func sample(_ p: WireProfile, count: Int, rng: inout SplitMix64) -> [Int] {
        var nodes = liveNodes(p)
        nodes.shuffle(using: &rng)
        return Array(nodes.prefix(count))
    }
}
