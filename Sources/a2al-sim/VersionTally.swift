import A2ALDHT

/// Attempts and successes of one operation per ordered pair of wire profiles
/// (querier → publisher or holder), with the errors of the failures.
struct PairTally: Sendable {
    struct Cell: Sendable {
        var attempts = 0
        var successes = 0
        var errors: [String: Int] = [:]
    }

    private(set) var cells: [String: Cell] = [:]

    static func label(_ from: WireProfile, _ to: WireProfile) -> String { "\(from)->\(to)" }

    mutating func record(_ from: WireProfile, _ to: WireProfile, error: String?) {
        let key = Self.label(from, to)
        cells[key, default: Cell()].attempts += 1
        if let error {
            cells[key, default: Cell()].errors[error, default: 0] += 1
        } else {
            cells[key, default: Cell()].successes += 1
        }
    }

    /// Pairs in profile declaration order; pairs never attempted are left out.
    var json: JSON {
        var pairs: [(String, JSON)] = []
        for from in WireProfile.allCases {
            for to in WireProfile.allCases {
                let key = Self.label(from, to)
                guard let c = cells[key], c.attempts > 0 else { continue }
                var fields: [(String, JSON)] = [("attempts", .int(c.attempts)), ("successes", .int(c.successes)),
                                                ("rate", .double(Double(c.successes) / Double(c.attempts), places: 4))]
                if !c.errors.isEmpty {
                    fields.append(("errors", .object(c.errors.sorted { $0.key < $1.key }.map { ($0.key, JSON.int($0.value)) })))
                }
                pairs.append((key, .object(fields)))
            }
        }
        return .object(pairs)
    }
}

/// The drop and push counters of `DebugStats`, summable over nodes.
struct DropCounters: Sendable {
    private static let names = [
        "dropped_malformed", "dropped_unknown_type", "dropped_unsolicited", "dropped_rate_limited",
        "push_dropped_unexpected", "push_dropped_invalid", "push_received", "push_sent", "push_acknowledged",
        "push_rate_limited", "push_subscriptions_registered", "push_subscriptions_refused",
    ]
    private var values: [UInt64]

    init() { values = Array(repeating: 0, count: Self.names.count) }

    init(_ s: DebugStats) {
        values = [s.droppedMalformed, s.droppedUnknownType, s.droppedUnsolicited, s.droppedRateLimited,
                  s.push.droppedUnexpected, s.push.droppedInvalid, s.push.received, s.push.sent, s.push.acknowledged,
                  s.push.rateLimited, s.push.subscriptionsRegistered, s.push.subscriptionsRefused]
    }

    static func + (a: DropCounters, b: DropCounters) -> DropCounters {
        var r = a
        for i in r.values.indices { r.values[i] &+= b.values[i] }
        return r
    }

    static func - (a: DropCounters, b: DropCounters) -> DropCounters {
        var r = a
        for i in r.values.indices { r.values[i] &-= b.values[i] }
        return r
    }

    var json: JSON { .object(zip(Self.names, values).map { ($0.0, JSON.int(Int(clamping: $0.1))) }) }
}

/// Counters of every node of each profile, summed (closed nodes keep what they counted).
struct ProfileDrops: Sendable {
    private(set) var byProfile: [WireProfile: DropCounters] = [:]

    init() {}

    init(_ cluster: SimCluster) {
        for (i, node) in cluster.nodes.enumerated() {
            byProfile[cluster.profiles[i], default: DropCounters()] = byProfile[cluster.profiles[i], default: DropCounters()]
                + DropCounters(node.debugStats())
        }
    }

    static func - (a: ProfileDrops, b: ProfileDrops) -> ProfileDrops {
        var r = ProfileDrops()
        for (p, c) in a.byProfile { r.byProfile[p] = c - (b.byProfile[p] ?? DropCounters()) }
        return r
    }

    var json: JSON {
        .object(WireProfile.allCases.compactMap { p in byProfile[p].map { (p.rawValue, $0.json) } })
    }
}
