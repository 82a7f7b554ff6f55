import A2ALCore
import A2ALDHT
import A2ALProtocol
import A2ALSimulation

/// Stores `record` at `key` only at live nodes of `holderProfile` among the K live nodes closest
/// to the key (at most `maxHolders` of them), sent by a random live node outside those K, so a
/// lookup can find it only at holders of that profile. Returns the sender, or nil when the K
/// closest hold no node of that profile or no holder took the record.
func storeOnlyAtHolders(_ cluster: SimCluster, index: ProfileIndex, key: NodeID, holderProfile: WireProfile,
                        maxHolders: Int, rng: inout SplitMix64,
                        record makeRecord: (Int) throws -> SignedRecord) async -> Int? {
    let closest = index.allLive.sorted { cluster.nodes[$0].nodeID.distance(to: key) < cluster.nodes[$1].nodeID.distance(to: key) }
        .prefix(NodeConstants.k)
    let holders = closest.filter { cluster.profiles[$0] == holderProfile }.prefix(maxHolders)
    let outside = index.allLive.filter { !closest.contains($0) }
    guard !holders.isEmpty, !outside.isEmpty else { return nil }
    let sender = outside[Int.random(in: 0..<outside.count, using: &rng)]
    guard let record = try? makeRecord(sender) else { return nil }
    var taken = 0
    for h in holders {
        let outcome = try? await cluster.nodes[sender].storeAt(cluster.address(h), expectedID: cluster.nodes[h].nodeID, key: key,
                                                               record: record, timeout: .seconds(5), attempts: 2)
        if outcome?.holdsRecord == true, !cluster.nodes[h].localGet(key, recType: record.recType).isEmpty { taken += 1 }
    }
    return taken > 0 ? sender : nil
}

/// Holder-only jobs, `trials` per holder profile and querier profile: an endpoint record of an
/// identity outside the network (resolves) or a topic record of the sending node (topic
/// searches), stored only at holders of one profile. Returns the jobs and the trials skipped.
func holderOnlyJobs(_ cluster: SimCluster, index: ProfileIndex, trials: Int, maxHolders: Int,
                    rng: inout SplitMix64) async -> (resolves: [PairJob], topics: [PairJob], skipped: Int) {
    var resolves: [PairJob] = []
    var topics: [PairJob] = []
    var skipped = 0
    let now = cluster.clock.unixSeconds()
    for holder in index.present {
        for t in 0..<trials {
            // Endpoint record of an identity no node has: it exists only where we store it.
            let identity = Ed25519.KeyPair.generate()
            let endpoint = "quic://198.51.100.\(t % 250 + 1):4433"
            let placedEndpoint = await storeOnlyAtHolders(cluster, index: index, key: identity.address.nodeID,
                                                          holderProfile: holder, maxHolders: maxHolders, rng: &rng) { _ in
                try SignedRecord.sign(recType: RecordType.endpoint, payload: EndpointPayload(endpoints: [endpoint], natType: 1).encoded,
                                      seq: 1, timestamp: now, ttl: 3600, signer: identity)
            }
            if let sender = placedEndpoint {
                for from in index.present {
                    guard let q = pickQuerier(cluster, index, from, key: identity.address.nodeID, recType: RecordType.endpoint,
                                              excluding: sender, rng: &rng) else { continue }
                    resolves.append(PairJob(querier: q, from: from, to: holder, query: .resolve(identity.address, endpoint: endpoint)))
                }
            } else {
                skipped += 1
            }

            let topic = "sim.holder.\(holder).\(t)"
            let key = TopicKey.key(for: topic)
            if let sender = await storeOnlyAtHolders(cluster, index: index, key: key, holderProfile: holder,
                                                     maxHolders: maxHolders, rng: &rng, record: { try topicRecord(cluster, $0, topic: topic) }) {
                for from in index.present {
                    guard let q = pickQuerier(cluster, index, from, key: key, recType: RecordType.topic,
                                              excluding: sender, rng: &rng) else { continue }
                    topics.append(PairJob(querier: q, from: from, to: holder,
                                          query: .topic(topic, publisher: cluster.nodes[sender].address)))
                }
            } else {
                skipped += 1
            }
        }
    }
    return (resolves, topics, skipped)
}
