import A2ALDHT
import A2ALSimulation
import Logging

/// A run with adversaries (docs/benchmarks.md, "Adversaries in the simulator"): honest nodes
/// start and bootstrap with the adversaries joining among them, every honest node publishes, then
/// honest queriers resolve honest targets (eclipse: the victims) and the report gives success,
/// querier packets and how far the adversaries got into honest routing tables, for single-path
/// and for disjoint-path resolves of the same targets (docs/routing.md §3.13).
func simulateWithAdversaries(_ options: SimOptions, time: SimClock, logger: Logger) async throws -> JSON {
    var rng = makeSimRandom(seed: options.seed)
    let totalTimer = PhaseTimer(time)
    let adversaryCount = AdversarySet.count(nodes: options.nodes, fraction: options.adversaryFraction)
    var honestOptions = options
    honestOptions.nodes = options.nodes - adversaryCount
    let cluster = try SimCluster(options: honestOptions, time: time, logger: logger)
    let h = cluster.nodes.count
    let behaviour = options.adversaryBehaviour

    let createTimer = PhaseTimer(time)
    let adversaries = try await AdversarySet.make(cluster, count: adversaryCount, behaviour: behaviour, seed: options.seed)
    try await cluster.startAll(spread: .milliseconds(Int64(options.staggerSeconds * 1000)))
    let createTime = createTimer.elapsed()
    let monitor = startMonitor(cluster.network, time: time)
    defer { monitor.cancel() }
    progress("created \(h) honest nodes and \(adversaryCount) \(behaviour) adversaries in \(Int(createTime.wall)) s")

    let bootTimer = PhaseTimer(time)
    async let joined = adversaries.joinAlongside(cluster, concurrency: options.bootstrapConcurrency, seed: options.seed)
    let boot = await bootstrapAll(cluster, concurrency: options.bootstrapConcurrency, attempts: options.joinAttempts, rng: &rng)
    let join = await joined
    let bootTime = bootTimer.elapsed()
    progress("bootstrap: \(boot.joined) honest joined, \(boot.failed) failed; adversaries joined in \(Int(bootTime.wall)) s")

    let pubTimer = PhaseTimer(time)
    let pub = await publishAll(cluster, concurrency: options.bootstrapConcurrency)
    let settled = await settle(cluster, limit: .milliseconds(Int64(options.settleSeconds * 1000)))
    // Targets: the eclipse victims, else a seeded sample of honest nodes (all of them when the
    // lookups outnumber them); `stale` republishes exactly these with a newer record.
    let targets = behaviour == .eclipse ? adversaries.victims
        : Array(Array(0..<h).shuffled(using: &rng).prefix(max(1, min(h, options.lookups))))
    var newerStored = 0
    if behaviour == .stale {
        newerStored = await republishNewer(cluster, publishers: targets, concurrency: options.bootstrapConcurrency)
    }
    let pubTime = pubTimer.elapsed()
    progress("publish: \(pub.published) published, settled in \(Int(settled.seconds)) s")

    if behaviour == .drop { for a in adversaries.nodes { a.goSilent() } }
    // Eclipse victims leave once published: a live victim answers for its own key (its node ID
    // is the key) and any lookup that reaches it succeeds; the attack is on the record kept by
    // replicas while its publisher is away.
    if behaviour == .eclipse { for v in adversaries.victims { await cluster.nodes[v].close() } }

    // The same queriers and targets twice (one generator state, copied): one path, then d
    // disjoint paths, so the two figures differ only by the lookup.
    let lookupTimer = PhaseTimer(time)
    let expected = behaviour == .stale ? newerEndpoint : SimCluster.publishedEndpoint
    var disjointRng = rng
    var againRng = rng
    let single = await runAdversaryResolves(cluster, targets: targets, offline: Set(adversaries.victims), count: options.lookups,
                                            expected: expected, rng: &rng)
    let paths = options.disjointPaths
    let disjoint = await runAdversaryResolves(cluster, targets: targets, offline: Set(adversaries.victims), count: options.lookups,
                                              strategy: { node, address in
                                                  try await node.resolve(address, timeout: resolveTimeout, disjointPaths: paths)
                                              }, expected: expected, rng: &disjointRng)
    // `--single-again`: one path once more, after the disjoint paths, to tell what the paths did
    // from what the time between the phases did (bans, refills and probes go on meanwhile).
    let singleAgain = options.singleAgain
        ? await runAdversaryResolves(cluster, targets: targets, offline: Set(adversaries.victims), count: options.lookups,
                                     expected: expected, rng: &againRng)
        : nil
    let lookupTime = lookupTimer.elapsed()
    let census = AdversaryCensus(cluster, adversaries: adversaries.nodes)
    let counters = adversaries.nodes.map(\.counters)

    let parameters: [(String, JSON)] = [
        ("nodes", .int(options.nodes)), ("honest_nodes", .int(h)), ("adversaries", .int(adversaryCount)),
        ("adversary_fraction", .double(options.adversaryFraction, places: 4)), ("behaviour", .string(behaviour.rawValue)),
        ("latency_ms", .double(options.latencyMs)), ("loss", .double(options.loss, places: 4)),
        ("lookups", .int(options.lookups)), ("disjoint_paths", .int(options.disjointPaths)), ("seed", .string(String(options.seed))),
        ("resolve_timeout_s", .int(Int(resolveTimeout / .seconds(1)))), ("clock", .string(time.label)),
        ("search_past_rings", .bool(options.searchPastRings)),
        ("addressing", .string("honest node i at 11.a.b.1 (own /24), adversaries at 12.a.b.1 (own /24), "
                               + "sybils in \(SimAddressPlan.sybilSubnets) /24s of 45.67.0.0/16; all public, so per-/24 limits apply")),
    ]
    var adversary: [(String, JSON)] = [
        ("behaviour", .string(behaviour.rawValue)), ("count", .int(adversaryCount)),
        ("join_queries", .int(join.queried)), ("join_answers", .int(join.answered)),
        ("sybil_announces_answered", .int(join.announced)),
        ("requests_received", .int(counters.reduce(0) { $0 + $1.requestsReceived })),
        ("replies_sent", .int(counters.reduce(0) { $0 + $1.repliesSent })),
        ("newer_records_refused", .int(counters.reduce(0) { $0 + $1.newerRefused })),
    ]
    if behaviour == .eclipse {
        adversary += [("victims", .int(adversaries.victims.count)), ("victim_prefix_bits", .int(adversaries.victimPrefixBits)),
                      ("grind_s", .double(adversaries.grindSeconds)), ("victims_offline_during_resolves", .bool(true)),
                      ("per_victim", victimsJSON(cluster, victims: adversaries.victims, single: single, disjoint: disjoint))]
    }
    if behaviour == .stale { adversary.append(("newer_record_stores_acknowledged", .int(newerStored))) }
    return .object([
        ("simulator", .string("a2al-sim")),
        ("parameters", .object(parameters)),
        ("bootstrap", .object([("joined", .int(boot.joined)), ("failed", .int(boot.failed)),
                               ("mean_routing_table_size", .double(boot.meanRoutingTableSize, places: 1))])),
        ("publish", .object([("published", .int(pub.published)), ("failed", .int(pub.failed)),
                             ("settle_seconds", .double(settled.seconds))])),
        ("adversary", .object(adversary)),
        ("routing_census", census.json),
        ("resolve", .object([("single_path", single.json), ("disjoint_paths", disjoint.json),
                             ("disjoint_path_count", .int(paths))]
                            + (singleAgain.map { [("single_path_again", $0.json)] } ?? []))),
        ("phases", .object([("create_start", createTime.json), ("bootstrap_and_join", bootTime.json),
                            ("publish", pubTime.json), ("lookups", lookupTime.json), ("total", totalTimer.elapsed().json)])),
        ("note", .string("queriers and targets are honest nodes only; a resolve succeeds only with the target's newest "
                         + "endpoint; packets are datagrams the querier sent during the resolve, failed resolves included")),
    ])
}

extension ResolveTally {
    var json: JSON {
        let packetSummary = Summary(packets)
        let latency = Summary(latenciesMs)
        return .object([
            ("attempted", .int(attempted)), ("succeeded", .int(succeeded)),
            ("success_rate", attempted > 0 ? .double(Double(succeeded) / Double(attempted), places: 4) : .null),
            ("outdated_answers", .int(unexpected)), ("answered_locally", .int(answeredLocally)),
            ("errors", .object(errors.sorted { $0.key < $1.key }.map { ($0.key, JSON.int($0.value)) })),
            ("packets_mean", packetSummary.map { .double($0.mean, places: 2) } ?? .null),
            ("packets_p95", packetSummary.map { .double($0.p95, places: 0) } ?? .null),
            ("packets_max", packetSummary.map { .double($0.max, places: 0) } ?? .null),
            ("latency_ms_p50", latency.map { .double($0.p50) } ?? .null),
            ("latency_ms_p99", latency.map { .double($0.p99) } ?? .null),
        ] + loss.jsonFields)
    }
}

/// Each eclipse victim as its own renewals and the resolves of its record saw it: whether the
/// victim's lookups around its key met a ring, how many STOREs it placed outside one, and the
/// resolves that found its record (one path, then disjoint paths). Tells a victim whose record
/// never left the ring from one whose queriers did not look outside.
func victimsJSON(_ cluster: SimCluster, victims: [Int], single: AdversaryResolveResult,
                 disjoint: AdversaryResolveResult) -> JSON {
    .object(victims.map { v in
        let stats = cluster.nodes[v].debugStats()
        let key = cluster.nodes[v].address.nodeID
        // Honest nodes holding the victim's record at the end, by the bits their ID shares with
        // the key (the ring lies deeper than the honest ones).
        let holders = cluster.nodes.indices.filter { $0 != v && !cluster.nodes[$0].localGet(key).isEmpty }
            .map { cluster.nodes[$0].nodeID.commonPrefixLength(with: key) }.sorted(by: >)
        let one = single.byTarget[v] ?? TargetTally()
        let paths = disjoint.byTarget[v] ?? TargetTally()
        return ("node \(v)", .object([
            ("rings_seen", .int(Int(stats.eclipseRings))),
            ("stores_past_rings", .int(Int(stats.eclipseStoresPastRing))),
            ("resolves_single_path", .string("\(one.succeeded)/\(one.attempted)")),
            ("resolves_disjoint_paths", .string("\(paths.succeeded)/\(paths.attempted)")),
            ("failed_resolves_seeing_a_ring", .int(one.failedSeeingRing + paths.failedSeeingRing)),
            ("honest_holders_shared_bits", .string(holders.map(String.init).joined(separator: " "))),
        ]))
    })
}
