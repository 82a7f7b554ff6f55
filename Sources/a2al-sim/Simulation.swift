#if canImport(Glibc)
import Glibc
#endif
import A2ALDHT
import Logging

/// One whole run, phase by phase, returning the report. A function rather than top-level code
/// so its state (the seeded generator above all) is local, not main-actor global.
/// Deadline of every resolve the simulator runs (reported as "resolve_timeout_s"): the
/// daemon's default lookup deadline, so the figures are what a client would see.
let resolveTimeout = LookupConstants.defaultDeadline

func simulate(_ options: SimOptions, time: SimClock, logger: Logger) async throws -> JSON {
    if options.adversaryFraction > 0 { return try await simulateWithAdversaries(options, time: time, logger: logger) }
    var rng = makeSimRandom(seed: options.seed)
    let totalTimer = PhaseTimer(time)

    // Phase 1: create and start. RSS growth over N is the memory of an idle, empty node.
    trimHeap()
    let rssBefore = residentBytes()
    let createTimer = PhaseTimer(time)
    let cluster = try SimCluster(options: options, time: time, logger: logger)
    try await cluster.startAll(spread: .milliseconds(Int64(options.staggerSeconds * 1000)))
    let createTime = createTimer.elapsed()
    trimHeap()
    let rssIdle = residentBytes()
    let monitor = startMonitor(cluster.network, time: time)
    defer { monitor.cancel() }
    progress("created and started \(options.nodes) nodes in \(Int(createTime.wall)) s")

    /// Resident growth since before the nodes existed, per node (nil if /proc is unreadable).
    func perNode(_ rss: Int?) -> JSON {
        guard let rss, let rssBefore else { return .null }
        return .int((rss - rssBefore) / options.nodes)
    }

    // Phase 2: bootstrap.
    let bootTimer = PhaseTimer(time)
    let sentBeforeBoot = cluster.network.stats.sent
    let boot = await bootstrapAll(cluster, concurrency: options.bootstrapConcurrency, attempts: options.joinAttempts, rng: &rng)
    let bootTime = bootTimer.elapsed()
    let bootDatagrams = cluster.network.stats.sent - sentBeforeBoot
    trimHeap()
    let rssJoined = residentBytes()
    progress("bootstrap: \(boot.joined) joined, \(boot.failed) failed in \(Int(bootTime.wall)) s")

    // Phase 3: publish, then let replication fall quiet.
    let pubTimer = PhaseTimer(time)
    let sentBeforePub = cluster.network.stats.sent
    let pub = await publishAll(cluster, concurrency: options.bootstrapConcurrency)
    let pubTime = pubTimer.elapsed()
    let settled = await settle(cluster, limit: .milliseconds(Int64(options.settleSeconds * 1000)))
    let pubDatagrams = cluster.network.stats.sent - sentBeforePub
    let storedKeys = cluster.nodes.reduce(0) { $0 + $1.storeKeyCount }
    trimHeap()
    let rssPublished = residentBytes()
    progress("publish: \(pub.published) published in \(Int(pubTime.wall)) s, settled in \(Int(settled.seconds)) s")

    // Phase 4: churn.
    let churnTimer = PhaseTimer(time)
    let closed = await churn(cluster, fraction: options.churn, rng: &rng)
    let churnTime = churnTimer.elapsed()

    // Background load before lookups: the maintenance passes of every live node. Measured over
    // an idle window so resolve figures can be read against it.
    let idleSent0 = cluster.network.stats.sent
    let idleTimer = PhaseTimer(time)
    try? await cluster.clock.sleep(for: .seconds(3))
    let idle = idleTimer.elapsed()
    // Per simulated second: on the virtual clock wall time says nothing about the network.
    let idleRate = Double(cluster.network.stats.sent - idleSent0) / max(idle.simulated, 1e-9)

    // Phase 5: sequential resolves.
    let lookupTimer = PhaseTimer(time)
    let sentBeforeLookups = cluster.network.stats.sent
    let lookups = await runLookups(cluster, count: options.lookups, closed: closed, timeout: resolveTimeout, rng: &rng)
    let lookupTime = lookupTimer.elapsed()
    let lookupDatagrams = cluster.network.stats.sent - sentBeforeLookups

    // Phase 5b: iterative FIND_NODE lookups, scored against the true closest live nodes.
    let findNodeTimer = PhaseTimer(time)
    let findNodes = await runFindNodes(cluster, count: options.findNodeLookups, concurrency: options.findNodeConcurrency,
                                       closed: closed, rng: &rng)
    let findNodeTime = findNodeTimer.elapsed()

    // Phase 6 (mixed networks): what each wire profile achieves against each other one.
    var versions: (result: VersionResult, time: PhaseTimer.Elapsed)?
    if options.versionPhaseTrials > 0 {
        let versionTimer = PhaseTimer(time)
        let result = await runVersionPhase(cluster, trials: options.versionPhaseTrials, closed: closed,
                                           concurrency: min(options.bootstrapConcurrency, 16), rng: &rng)
        versions = (result, versionTimer.elapsed())
        progress("versions: done in \(Int(versionTimer.elapsed().wall)) s")
    }
    let net = cluster.network.stats
    let total = totalTimer.elapsed()

    func summary(_ samples: [Double], places: Int = 3) -> JSON {
        guard let s = Summary(samples) else { return .null }
        return .object([("p50", .double(s.p50, places: places)), ("p95", .double(s.p95, places: places)),
                        ("p99", .double(s.p99, places: places)), ("max", .double(s.max, places: places)),
                        ("mean", .double(s.mean, places: places)), ("samples", .int(s.count))])
    }

    let resolves = lookups.tally
    let packetSummary = Summary(resolves.packets)
    var parameters: [(String, JSON)] = [
        ("nodes", .int(options.nodes)), ("latency_ms", .double(options.latencyMs)),
        ("jitter_ms", .double(options.jitterMs)), ("loss", .double(options.loss, places: 4)),
        ("churn", .double(options.churn, places: 4)), ("lookups", .int(options.lookups)),
        ("seed", .string(String(options.seed))), ("bootstrap_concurrency", .int(options.bootstrapConcurrency)),
        ("resolve_timeout_s", .int(Int(resolveTimeout / .seconds(1)))), ("resolve_disjoint_paths", .int(LookupConstants.defaultFirstHitDisjointPaths)), ("stagger_start_s", .double(options.staggerSeconds)), ("clock", .string(time.label)),
        ("find_node_lookups", .int(options.findNodeLookups)), ("find_node_concurrency", .int(options.findNodeConcurrency)), ("join_attempts", .int(options.joinAttempts)),
    ]
    if versions != nil || options.mixed {
        parameters += [("legacy_fraction", .double(options.legacyFraction, places: 4)),
                       ("go029_fraction", .double(options.go029Fraction, places: 4)),
                       ("version_trials", .int(options.versionPhaseTrials))]
    }
    var phases: [(String, JSON)] = [
        ("create_start", createTime.json), ("bootstrap", bootTime.json), ("publish", pubTime.json),
        ("settle_s", .double(settled.seconds)), ("churn", churnTime.json), ("lookups", lookupTime.json),
        ("find_node", findNodeTime.json),
    ]
    if let versions { phases.append(("versions", versions.time.json)) }
    phases.append(("total", total.json))
    var report: [(String, JSON)] = [
        ("simulator", .string("a2al-sim")),
        ("parameters", .object(parameters)),
        ("bootstrap_seconds", .double(bootTime.wall)),
        ("bootstrap", .object([
            ("core_nodes", .int(boot.coreNodes)), ("core_pings_ok", .int(boot.corePingsOK)),
            ("joined", .int(boot.joined)), ("retried", .int(boot.retried)), ("failed", .int(boot.failed)), ("max_attempts", .int(boot.maxAttempts)),
            ("mean_routing_table_size", .double(boot.meanRoutingTableSize, places: 1)),
            ("datagrams", .int(Int(bootDatagrams))),
        ])),
        ("memory_per_node_bytes", perNode(rssPublished)),
        ("peak_rss_bytes", peakResidentBytes().map(JSON.int) ?? .null),
        ("memory", .object([
            ("rss_before_bytes", rssBefore.map(JSON.int) ?? .null),
            ("per_idle_node_bytes", perNode(rssIdle)),
            ("per_node_after_bootstrap_bytes", perNode(rssJoined)),
            ("per_node_after_publish_bytes", perNode(rssPublished)),
            ("note", .string("resident growth since before node creation / N. memory_per_node_bytes = per_node_after_publish_bytes: a joined node with its routing table, its share of the records and its replica sets, after publish and settle; idle = created and started, empty tables")),
        ])),
        ("publish", .object([
            ("method", .string(pub.method)), ("published", .int(pub.published)), ("failed", .int(pub.failed)),
            ("replicas_at_handoff_mean", .double(Double(pub.replicasAtHandoff) / Double(max(pub.published, 1)), places: 2)),
            ("below_target_at_handoff", .int(pub.belowTarget)), ("replication_target", .int(ReplicationConstants.target)),
            ("confirmed_replicas_after_settle_mean", .double(Double(settled.replicas) / Double(max(pub.published, 1)), places: 2)),
            ("stored_copies_per_record_mean", .double(Double(storedKeys) / Double(options.nodes), places: 2)),
            ("settle_seconds", .double(settled.seconds)), ("settled_quiet", .bool(settled.quiet)),
            ("datagrams", .int(Int(pubDatagrams))),
        ])),
        ("churn", .object([("closed_nodes", .int(closed.count))])),
        ("resolve_success_rate", resolves.attempted > 0 ? .double(Double(resolves.succeeded) / Double(resolves.attempted), places: 4) : .null),
        ("resolve", .object([
            ("attempted", .int(resolves.attempted)), ("succeeded", .int(resolves.succeeded)),
            ("wrong_answer", .int(resolves.unexpected)), ("answered_locally", .int(resolves.answeredLocally)),
            ("targets_closed", .int(lookups.targetsClosed)), ("succeeded_closed_targets", .int(lookups.succeededClosedTargets)),
            ("errors", .object(resolves.errors.sorted { $0.key < $1.key }.map { ($0.key, JSON.int($0.value)) })),
        ])),
        ("latency_ms", summary(resolves.latenciesMs)),
    ]
    // The loss figures sit beside the resolve latency they qualify.
    report += resolves.loss.jsonFields
    report += [
        ("packets_per_resolve", .object([
            ("mean", packetSummary.map { .double($0.mean, places: 2) } ?? .null),
            ("max", packetSummary.map { .double($0.max, places: 0) } ?? .null),
            ("p50", packetSummary.map { .double($0.p50, places: 0) } ?? .null),
            ("p95", packetSummary.map { .double($0.p95, places: 0) } ?? .null),
            ("note", .string("datagrams sent by the querying node during its resolve, failed resolves included; the querier's own 15 s maintenance pass can overlap a resolve")),
        ])),
        ("network_datagrams_per_resolve", summary(lookups.networkDatagrams, places: 2)),
        ("network", .object([
            ("sent", .int(Int(net.sent))), ("delivered", .int(Int(net.delivered))), ("dropped", .int(Int(net.dropped))),
            ("dropped_unreachable", .int(Int(net.droppedUnreachable))), ("queued", .int(Int(net.queued))),
            ("lookup_phase_datagrams", .int(Int(lookupDatagrams))),
            ("idle_background_datagrams_per_s", .double(idleRate, places: 1)),
            // CPU seconds per simulated second: the cores a real-time network of this size
            // would keep busy with maintenance alone (on the real clock, simulated = wall).
            ("idle_background_cpu_fraction", .double(idle.cpu / max(idle.simulated, 1e-9), places: 3)),
            ("idle_background_datagrams_per_node_s", .double(idleRate / Double(max(options.nodes - closed.count, 1)), places: 3)),
            ("idle_background_cpu_us_per_node_s", .double(idle.cpu / max(idle.simulated, 1e-9) / Double(max(options.nodes - closed.count, 1)) * 1e6, places: 1)),
        ])),
        ("find_node", findNodeReport(findNodes, summary: summary)),
        ("clock", clockReport(time)),
        ("phases", .object(phases)),
    ]
    if let versions { report.append(("versions", versions.result.json)) }
    return .object(report)
}
