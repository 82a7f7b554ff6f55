import A2ALDHT
import A2ALSimulation

/// One resolve as the simulator measures it: timed on the simulation clock, with the datagrams
/// the querier sent and whether any datagram to or from the querier was lost on the way.
struct MeasuredResolve: Sendable {
    var found: ResolvedEndpoint?
    var error: String?
    var ms: Double
    /// Datagrams the querier sent during the resolve, failed attempts included.
    var packets: UInt64
    /// Datagrams to or from the querier that the network dropped during the resolve.
    var lostDatagrams: UInt64
    var metLoss: Bool { lostDatagrams > 0 }
}

/// Runs `resolve` from node `q`. Sequential use only: the querier's transmit counter delta is
/// this resolve's traffic and nothing else's.
func measureResolve(_ cluster: SimCluster, querier q: Int,
                    _ resolve: () async throws -> ResolvedEndpoint) async -> MeasuredResolve {
    let querier = cluster.nodes[q]
    let tx0 = querier.debugStats().txPackets
    let querierName = PeerAddress.udp(SimCluster.endpoint(q)).description
    let lost0 = cluster.network.lost(involving: querierName)
    let t0 = cluster.clock.now()
    var m = MeasuredResolve(found: nil, error: nil, ms: 0, packets: 0, lostDatagrams: 0)
    do { m.found = try await resolve() } catch { m.error = "\(error)" }
    m.ms = (cluster.clock.now() - t0).seconds * 1000
    m.packets = querier.debugStats().txPackets - tx0
    m.lostDatagrams = cluster.network.lost(involving: querierName) - lost0
    return m
}

/// What lost datagrams did to a run's resolves (docs/benchmarks.md, "Report").
struct LossTally: Sendable {
    /// Resolves, failed ones included, that lost at least one datagram to or from the querier.
    var resolves = 0
    /// Latency of the successful ones among them.
    var latenciesMs: [Double] = []
    /// What the loss itself cost each successful one: its latency minus that of the same resolve
    /// (same querier, same target, same strategy) repeated at once with the network's loss
    /// switched off. A resolve's latency alone also holds the time its path took anyway — the
    /// liars it met, say — which is not the loss's doing.
    var costsMs: [Double] = []
    /// Each cost divided by the datagrams that resolve lost: what one lost datagram cost. A
    /// resolve that walks far through liars meets several losses, each paid for by a hedge one
    /// attempt deadline later (docs/routing.md §3.6), and its cost is their sum.
    var costsPerLostDatagramMs: [Double] = []

    /// Counts `m`; a successful resolve that met a loss is repeated without loss for its cost.
    /// The repeat's traffic is not `m`'s, and the network's loss settings are restored after it.
    mutating func add(_ m: MeasuredResolve, succeeded: Bool, cluster: SimCluster, querier q: Int,
                      repeating resolve: () async throws -> ResolvedEndpoint) async {
        guard m.metLoss else { return }
        resolves += 1
        guard succeeded else { return }
        latenciesMs.append(m.ms)
        let config = cluster.network.config
        var lossless = config
        lossless.lossRate = 0
        cluster.network.setConfig(lossless)
        let control = await measureResolve(cluster, querier: q, resolve)
        cluster.network.setConfig(config)
        // A repeat that fails (an adversary's path this time) gives no baseline.
        if control.found != nil {
            costsMs.append(m.ms - control.ms)
            costsPerLostDatagramMs.append((m.ms - control.ms) / Double(m.lostDatagrams))
        }
    }

    /// The report's fields: `resolves_with_loss`, `latency_with_loss_ms`, `loss_cost_ms` and
    /// `loss_cost_per_lost_datagram_ms`.
    var jsonFields: [(String, JSON)] {
        [("resolves_with_loss", .int(resolves)),
         ("latency_with_loss_ms", lossSummaryJSON(latenciesMs)),
         ("loss_cost_ms", lossSummaryJSON(costsMs)),
         ("loss_cost_per_lost_datagram_ms", lossSummaryJSON(costsPerLostDatagramMs))]
    }
}

/// What every resolve phase counts of its resolves, one `add` per measured resolve.
struct ResolveTally: Sendable {
    var attempted = 0
    var succeeded = 0
    /// Resolves that answered without error but not with the expected endpoint: a wrong answer
    /// in an ordinary run (must stay 0), an outdated one (a `stale` win) in an adversary run.
    var unexpected = 0
    var errors: [String: Int] = [:]
    /// Latency in ms of successful resolves only (a timeout's latency is the timeout).
    var latenciesMs: [Double] = []
    /// Datagrams the querier sent during each resolve, failed ones included.
    var packets: [Double] = []
    /// Resolves answered from the querier's own store (it was a replica holder): zero packets.
    var answeredLocally = 0
    /// The resolves that lost a datagram to or from the querier, and what it cost them.
    var loss = LossTally()

    /// Counts `m`, which succeeded when it returned the expected endpoint (`ok`); a successful
    /// resolve that met a loss is repeated without it for its cost (`LossTally.add`).
    mutating func add(_ m: MeasuredResolve, ok: Bool, cluster: SimCluster, querier q: Int,
                      repeating resolve: () async throws -> ResolvedEndpoint) async {
        if let error = m.error { errors[error, default: 0] += 1 } else if !ok { unexpected += 1 }
        attempted += 1
        packets.append(Double(m.packets))
        if ok {
            succeeded += 1
            latenciesMs.append(m.ms)
            if m.packets == 0 { answeredLocally += 1 }
        }
        await loss.add(m, succeeded: ok, cluster: cluster, querier: q, repeating: resolve)
    }
}
