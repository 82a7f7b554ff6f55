import A2ALCore
import A2ALDHT
import A2ALProtocol
import A2ALSimulation

/// Resolves of an adversary run: queriers and targets are honest nodes only (docs/benchmarks.md,
/// "Adversaries in the simulator"). `tally.unexpected` counts verified records other than the
/// newest one (a `stale` win); `byTarget` says which targets failed (eclipse: which victims).
struct AdversaryResolveResult: Sendable {
    var tally = ResolveTally()
    /// Per target node index.
    var byTarget: [Int: TargetTally] = [:]

    var json: JSON { tally.json }
}

/// One target's resolves: attempted and succeeded, and the failed ones whose querier saw a ring
/// of ground identities during the resolve (docs/routing.md §3.14).
struct TargetTally: Sendable {
    var attempted = 0
    var succeeded = 0
    var failedSeeingRing = 0

    mutating func add(ok: Bool, sawRing: Bool) {
        attempted += 1
        if ok { succeeded += 1 } else if sawRing { failedSeeingRing += 1 }
    }
}

/// The endpoint honest node `i` publishes in its second, newer record (the `stale` scenario).
func newerEndpoint(_ i: Int) -> String { "quic://\(SimCluster.endpoint(i).ip):4434" }

/// Node `i`'s newer endpoint record (seq 2), signed by its key.
func newerEndpointRecord(_ cluster: SimCluster, _ i: Int) throws -> SignedRecord {
    let payload = EndpointPayload(endpoints: [newerEndpoint(i)], natType: 1).encoded
    return try SignedRecord.sign(recType: RecordType.endpoint, payload: payload, seq: 2,
                                 timestamp: cluster.clock.unixSeconds(), ttl: 3600, signer: cluster.keys[i])
}

/// Each of `publishers` publishes its newer record and stores it at the K nodes its own lookup
/// finds closest to its key, as a publisher updating its record does; `stale` adversaries among
/// them acknowledge and keep the old one. Returns how many STOREs were acknowledged.
func republishNewer(_ cluster: SimCluster, publishers: [Int], concurrency: Int) async -> Int {
    var acknowledged = 0
    await boundedForEach(publishers.count, limit: concurrency, prepare: { publishers[$0] }, work: { i -> Int in
        let node = cluster.nodes[i]
        guard let record = try? newerEndpointRecord(cluster, i), (try? node.publish(record)) != nil else { return 0 }
        let closest = await node.lookup(node.address.nodeID)
        return await withTaskGroup(of: Bool.self) { group in
            for info in closest {
                group.addTask {
                    (try? await node.storeAt(.udp(info.endpoint), expectedID: info.nodeID, key: .zero, record: record)) != nil
                }
            }
            var ok = 0
            for await stored in group where stored { ok += 1 }
            return ok
        }
    }, finish: { acknowledged += $0 })
    return acknowledged
}

/// How a querier resolves an address: single-path `DHTNode.resolve` by default; another lookup
/// strategy (disjoint paths, say) is another closure, run on the same network beside it.
typealias ResolveStrategy = @Sendable (DHTNode, Address) async throws -> ResolvedEndpoint

let singlePathResolve: ResolveStrategy = { node, address in
    try await node.resolve(address, timeout: resolveTimeout, disjointPaths: 1)
}

/// `count` sequential resolves, each from a random live honest querier (never the target, never
/// one of `offline`) of a random target in `targets`; one counts only with exactly
/// `expected(target)` as the endpoint.
func runAdversaryResolves(_ cluster: SimCluster, targets: [Int], offline: Set<Int> = [], count: Int,
                          strategy: ResolveStrategy = singlePathResolve,
                          expected: (Int) -> String, rng: inout SplitMix64) async -> AdversaryResolveResult {
    var r = AdversaryResolveResult()
    let live = (0..<cluster.nodes.count).filter { !offline.contains($0) }
    guard !targets.isEmpty, live.count >= 2 else { return r }
    for m in 0..<count {
        let t = targets[Int.random(in: 0..<targets.count, using: &rng)]
        var q = t
        while q == t { q = live[Int.random(in: 0..<live.count, using: &rng)] }
        let querier = cluster.nodes[q]
        let target = cluster.nodes[t].address
        let resolve = { try await strategy(querier, target) }
        let ringsBefore = querier.debugStats().eclipseRings
        let measured = await measureResolve(cluster, querier: q, resolve)
        let ok = measured.found?.payload.endpoints == [expected(t)]
        let sawRing = querier.debugStats().eclipseRings > ringsBefore
        await r.tally.add(measured, ok: ok, cluster: cluster, querier: q, repeating: resolve)
        r.byTarget[t, default: TargetTally()].add(ok: ok, sawRing: sawRing)
        if (m + 1) % 100 == 0 { progress("adversary resolves: \(m + 1)/\(count), \(r.tally.succeeded) ok") }
    }
    return r
}
