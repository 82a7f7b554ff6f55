import A2ALCore
import A2ALDHT
import A2ALProtocol
import A2ALSimulation

/// What a version-phase query looks for.
enum PairQuery: Sendable {
    /// `resolve` of `address`, which must answer with exactly `endpoint`.
    case resolve(Address, endpoint: String)
    /// A topic search that must return `publisher`'s record for `topic`.
    case topic(String, publisher: Address)
}

/// One query of the version phase, counted under the pair `from` → `to` (querier profile →
/// publisher or holder profile).
struct PairJob: Sendable {
    let querier: Int
    let from: WireProfile
    let to: WireProfile
    let query: PairQuery
}

/// Runs `jobs` with at most `concurrency` in flight and tallies them per profile pair.
func runPairJobs(_ cluster: SimCluster, _ jobs: [PairJob], concurrency: Int, label: String) async -> PairTally {
    struct Outcome: Sendable { let from: WireProfile; let to: WireProfile; let error: String? }
    var tally = PairTally()
    var done = 0
    await boundedForEach(jobs.count, limit: concurrency, prepare: { jobs[$0] }, work: { job in
        Outcome(from: job.from, to: job.to, error: await perform(job.query, on: cluster.nodes[job.querier]))
    }, finish: { out in
        tally.record(out.from, out.to, error: out.error)
        done += 1
        if done % 100 == 0 { progress("versions: \(label) \(done)/\(jobs.count)") }
    })
    return tally
}

/// Runs one query on `node`; nil on success, else why it failed.
func perform(_ query: PairQuery, on node: DHTNode) async -> String? {
    switch query {
    case .resolve(let address, let endpoint):
        do {
            let found = try await node.resolve(address, timeout: resolveTimeout)
            return found.payload.endpoints == [endpoint] ? nil : "wrong endpoint"
        } catch {
            return "\(error)"
        }
    case .topic(let topic, let publisher):
        return await searchTopic(node, topic: topic, publisher: publisher)
    }
}

/// A topic search as a v0.2.x host runs it: the key is watched for the search's duration (so
/// lookups ask for pushes), `aggregateRecords` collects every record at the key, and the search
/// counts only if the publisher's record is among them. Returns nil on success, else why not.
func searchTopic(_ node: DHTNode, topic: String, publisher: Address) async -> String? {
    let key = TopicKey.key(for: topic)
    node.watch(key)
    defer { node.unwatch(key) }
    do {
        let found = try await node.aggregateRecords(key, recType: RecordType.topic)
        let hit = found.contains { r in
            guard case .topic(let payload) = r.decoded else { return false }
            return r.address == publisher && payload.topic == topic
        }
        return hit ? nil : "publisher's record missing"
    } catch {
        return "\(error)"
    }
}

/// A random live node of `profile` that may ask for what is stored at `key`: not `excluded`
/// and not holding a record of `recType` there itself, so every query crosses the network.
func pickQuerier(_ cluster: SimCluster, _ index: ProfileIndex, _ profile: WireProfile, key: NodeID, recType: UInt8,
                 excluding excluded: Int?, rng: inout SplitMix64) -> Int? {
    index.pick(profile, rng: &rng) { $0 != excluded && cluster.nodes[$0].localGet(key, recType: recType).isEmpty }
}
