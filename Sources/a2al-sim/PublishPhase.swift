import A2ALCore
import A2ALDHT
import A2ALProtocol

/// Outcome of every node publishing its endpoint record.
struct PublishResult: Sendable {
    var published = 0
    var failed = 0
    /// Confirmed replicas summed over publishers when each publisher's wait ended.
    var replicasAtHandoff = 0
    /// Publishers whose record had fewer than the target replicas when their wait ended.
    var belowTarget = 0
    var method = ""
}

/// The endpoint record node `i` publishes: signed by its own key, valid for an hour.
func endpointRecord(_ cluster: SimCluster, _ i: Int) throws -> SignedRecord {
    let payload = EndpointPayload(endpoints: [SimCluster.publishedEndpoint(i)], natType: 1).encoded
    return try SignedRecord.sign(recType: RecordType.endpoint, payload: payload, seq: 1,
                                 timestamp: cluster.clock.unixSeconds(), ttl: 3600, signer: cluster.keys[i])
}

/// Publishes every node's endpoint record through `DHTNode.publish` (local put, then background
/// replication to the closest peers). At most `concurrency` publishers replicate at once: each
/// job waits until its record has `ReplicationConstants.target` confirmed replicas or
/// `replicaWait` passes, because 10,000 simultaneous replication lookups would measure the
/// simulator's overload rather than the DHT.
func publishAll(_ cluster: SimCluster, concurrency: Int, replicaWait: Duration = .seconds(10)) async -> PublishResult {
    var result = PublishResult(method: "DHTNode.publish (background replication), waited per node for target replicas")
    struct Done: Sendable { let ok: Bool; let replicas: Int }
    let n = cluster.nodes.count
    let started = ContinuousClock.now
    let target = ReplicationConstants.target
    await boundedForEach(n, limit: concurrency, prepare: { $0 }, work: { i in
        let node = cluster.nodes[i]
        guard let record = try? endpointRecord(cluster, i), (try? node.publish(record)) != nil else {
            return Done(ok: false, replicas: 0)
        }
        let clock = cluster.clock
        let deadline = clock.now() + replicaWait
        var replicas = node.replicationSummary.replicas
        while replicas < target && clock.now() < deadline {
            try? await clock.sleep(for: .milliseconds(20))
            replicas = node.replicationSummary.replicas
        }
        return Done(ok: true, replicas: replicas)
    }, finish: { done in
        if done.ok { result.published += 1 } else { result.failed += 1 }
        result.replicasAtHandoff += done.replicas
        if done.ok && done.replicas < target { result.belowTarget += 1 }
        let finished = result.published + result.failed
        if finished % 500 == 0 {
            progress("publish: \(finished)/\(n) (\((ContinuousClock.now - started).components.seconds) s)")
        }
    })
    return result
}

/// Waits until the confirmed replicas of all published records stop growing for `quiet`, or
/// `limit` passes, so replication still in flight finishes before lookups are timed. (Network
/// silence is no criterion: the 15 s maintenance pass keeps every node talking.)
func settle(_ cluster: SimCluster, quiet: Duration = .seconds(1), limit: Duration) async -> (seconds: Double, quiet: Bool, replicas: Int) {
    let clock = cluster.clock
    let start = clock.now()
    func total() -> Int { cluster.nodes.reduce(0) { $0 + $1.replicationSummary.replicas } }
    var last = total()
    var lastChange = clock.now()
    while clock.now() - start < limit {
        try? await clock.sleep(for: .milliseconds(250))
        let now = total()
        if now != last {
            last = now
            lastChange = clock.now()
        } else if clock.now() - lastChange >= quiet {
            return ((clock.now() - start).seconds, true, now)
        }
    }
    return ((clock.now() - start).seconds, false, last)
}
