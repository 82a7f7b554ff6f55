import A2ALDHT
import A2ALSimulation

/// What the version phase measured on a network of mixed wire profiles.
struct VersionResult: Sendable {
    static let maxHolders = 3
    var profileCounts: [WireProfile: Int] = [:]
    var liveCounts: [WireProfile: Int] = [:]
    var trials = 0
    /// Querier profile → publisher profile, records replicated by `DHTNode.publish`.
    var resolve = PairTally()
    var topicSearch = PairTally()
    /// Querier profile → holder profile, records stored only at holders of one profile.
    var resolveByHolder = PairTally()
    var topicSearchByHolder = PairTally()
    var topicsPublished = 0
    var topicPublishFailed = 0
    var holderPlacementsSkipped = 0
    var drops = ProfileDrops()
    var dropsByStep: [(String, ProfileDrops)] = []
}

/// Runs after the lookup phase on a network whose nodes run different wire profiles:
/// 1. resolves of the endpoint records of the publish phase, per querier → publisher pair;
/// 2. topic searches per querier → publisher pair, each publisher replicating its own topic;
/// 3. resolves and topic searches per querier → holder pair, each record stored only at up to
///    three of the K closest nodes, all of one profile, which isolates what a querier's
///    requests do at a holder of that generation.
/// Drop and push counters are summed per profile before the phase and after each step.
func runVersionPhase(_ cluster: SimCluster, trials: Int, closed: Set<Int>, concurrency: Int,
                     rng: inout SplitMix64) async -> VersionResult {
    var r = VersionResult()
    r.trials = trials
    let index = ProfileIndex(profiles: cluster.profiles, closed: closed)
    for p in cluster.profiles { r.profileCounts[p, default: 0] += 1 }
    for p in index.present { r.liveCounts[p] = index.liveNodes(p).count }

    var last = ProfileDrops(cluster)
    r.dropsByStep.append(("before_version_phase", last))
    func step(_ name: String) {
        let now = ProfileDrops(cluster)
        r.dropsByStep.append((name, now - last))
        last = now
        progress("versions: \(name) done")
    }

    let resolveJobs = publishedResolveJobs(cluster, index: index, trials: trials, rng: &rng)
    r.resolve = await runPairJobs(cluster, resolveJobs, concurrency: concurrency, label: "resolves")
    step("resolve")

    let (publishers, failed) = await publishTopics(cluster, index: index, perProfile: trials, concurrency: concurrency, rng: &rng)
    r.topicsPublished = publishers.count
    r.topicPublishFailed = failed
    _ = await settle(cluster, limit: .seconds(30))
    step("topic_publish")
    let topicJobs = publishedTopicJobs(cluster, index: index, publishers: publishers, rng: &rng)
    r.topicSearch = await runPairJobs(cluster, topicJobs, concurrency: concurrency, label: "topic searches")
    step("topic_search")

    let holder = await holderOnlyJobs(cluster, index: index, trials: trials, maxHolders: VersionResult.maxHolders, rng: &rng)
    r.holderPlacementsSkipped = holder.skipped
    step("holder_placement")
    r.resolveByHolder = await runPairJobs(cluster, holder.resolves, concurrency: concurrency, label: "holder resolves")
    step("resolve_by_holder")
    r.topicSearchByHolder = await runPairJobs(cluster, holder.topics, concurrency: concurrency, label: "holder topic searches")
    step("topic_search_by_holder")
    r.drops = ProfileDrops(cluster)
    return r
}
