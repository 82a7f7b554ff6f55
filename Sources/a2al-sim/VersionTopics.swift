import A2ALCore
import A2ALDHT
import A2ALProtocol
import A2ALSimulation

/// The topic node `i` publishes in the version phase.
func versionTopic(_ i: Int) -> String { "sim.version.\(i)" }

/// Node `i`'s topic record for `topic`, signed by its key, valid for an hour.
func topicRecord(_ cluster: SimCluster, _ i: Int, topic: String) throws -> SignedRecord {
    let payload = TopicPayload(topic: topic, name: "sim-node-\(i)", brief: "a2al-sim version phase").encoded
    return try SignedRecord.sign(recType: RecordType.topic, payload: payload, seq: 1,
                                 timestamp: cluster.clock.unixSeconds(), ttl: 3600, signer: cluster.keys[i])
}

/// Up to `perProfile` live nodes of each profile publish a topic of their own through
/// `DHTNode.publish` (ordinary replication); each waits for its replica target or 10 s.
/// Returns the nodes that published, and how many could not.
func publishTopics(_ cluster: SimCluster, index: ProfileIndex, perProfile: Int, concurrency: Int,
                   rng: inout SplitMix64) async -> (publishers: [Int], failed: Int) {
    let candidates = index.present.flatMap { index.sample($0, count: perProfile, rng: &rng) }
    var publishers: [Int] = []
    var failed = 0
    await boundedForEach(candidates.count, limit: concurrency, prepare: { candidates[$0] }, work: { i -> Int? in
        let node = cluster.nodes[i]
        let key = TopicKey.key(for: versionTopic(i))
        guard let record = try? topicRecord(cluster, i, topic: versionTopic(i)), (try? node.publish(record, at: key)) != nil else {
            return nil
        }
        let clock = cluster.clock
        let deadline = clock.now() + .seconds(10)
        while node.replicaHolders(key: key, publisher: node.nodeID, recType: RecordType.topic).count < ReplicationConstants.target,
              clock.now() < deadline {
            try? await clock.sleep(for: .milliseconds(20))
        }
        return i
    }, finish: { i in
        if let i { publishers.append(i) } else { failed += 1 }
    })
    return (publishers.sorted(), failed)
}

/// Resolve jobs over the records every node published in the publish phase: `trials` per
/// ordered profile pair, each a random live target of the publisher profile.
func publishedResolveJobs(_ cluster: SimCluster, index: ProfileIndex, trials: Int, rng: inout SplitMix64) -> [PairJob] {
    var jobs: [PairJob] = []
    for from in index.present {
        for to in index.present {
            for _ in 0..<trials {
                guard let t = index.pick(to, rng: &rng),
                      let q = pickQuerier(cluster, index, from, key: cluster.nodes[t].nodeID, recType: RecordType.endpoint,
                                          excluding: t, rng: &rng) else { continue }
                jobs.append(PairJob(querier: q, from: from, to: to,
                                    query: .resolve(cluster.nodes[t].address, endpoint: SimCluster.publishedEndpoint(t))))
            }
        }
    }
    return jobs
}

/// Topic search jobs: for every querier profile, one search per publisher's topic.
func publishedTopicJobs(_ cluster: SimCluster, index: ProfileIndex, publishers: [Int], rng: inout SplitMix64) -> [PairJob] {
    var jobs: [PairJob] = []
    for from in index.present {
        for p in publishers {
            let topic = versionTopic(p)
            guard let q = pickQuerier(cluster, index, from, key: TopicKey.key(for: topic), recType: RecordType.topic,
                                      excluding: p, rng: &rng) else { continue }
            jobs.append(PairJob(querier: q, from: from, to: cluster.profiles[p],
                                query: .topic(topic, publisher: cluster.nodes[p].address)))
        }
    }
    return jobs
}
