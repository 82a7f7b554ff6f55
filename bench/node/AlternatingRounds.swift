/// One load measured against the physical limit in alternating rounds after a warm-up: limit,
/// load, limit, load, …, limit. Each round's ratio is its load over the mean of the limits just before and
/// just after it, and the figure reported is the median of the rounds' ratios. On a shared VM a
/// core's speed drifts by a quarter within a minute; short rounds keep each load next to the
/// limit it is compared with, and the median keeps one disturbed round from moving the figure.
struct AlternatingRounds {
    struct Round {
        var ratio: Double
        var efficiency: Double
    }

    var rounds: [Round] = []
    var answered = 0.0
    var loadSeconds = 0.0
    var limitWall: [Double] = []
    var generatorCoreSeconds = 0.0
    var resends = 0

    /// `limit(duration)` measures verify+sign per second (wall and thread CPU); `load(duration)`
    /// runs the node under load. Loads take `seconds` in all, limits about as long.
    static func measure(rounds count: Int, seconds: Double,
                        limit: (Double) -> (wall: Double, cpu: Double),
                        load: (Double) -> LoadGenerator.Result) -> AlternatingRounds {
        var m = AlternatingRounds()
        let perLoad = seconds / Double(count)
        let perLimit = seconds / Double(count + 1)
        // A discarded warm-up: the first round often ran 10–25% below the others (threads,
        // caches and the kernel's socket buffers starting cold).
        _ = load(perLoad / 2)
        var before = limit(perLimit)
        m.limitWall.append(before.wall)
        for _ in 0..<count {
            let result = load(perLoad)
            let after = limit(perLimit)
            m.limitWall.append(after.wall)
            m.rounds.append(Round(ratio: result.perSecond / ((before.wall + after.wall) / 2),
                                  efficiency: result.perNodeCPUSecond / ((before.cpu + after.cpu) / 2)))
            m.answered += result.perSecond * perLoad
            m.loadSeconds += perLoad
            m.generatorCoreSeconds += result.generatorCores * perLoad
            m.resends += result.resends
            before = after
        }
        return m
    }

    var medianRatio: Double { Self.median(rounds.map(\.ratio)) }
    var medianEfficiency: Double { Self.median(rounds.map(\.efficiency)) }
    var answeredPerSecond: Double { answered / max(loadSeconds, 1e-9) }
    var meanLimit: Double { limitWall.reduce(0, +) / Double(max(limitWall.count, 1)) }
    var generatorCores: Double { generatorCoreSeconds / max(loadSeconds, 1e-9) }

    /// The rounds' ratios, as JSON.
    var ratiosJSON: String { "[" + rounds.map { String(($0.ratio * 1000).rounded() / 1000) }.joined(separator: ",") + "]" }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
