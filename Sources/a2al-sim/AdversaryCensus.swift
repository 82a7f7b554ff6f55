import A2ALCore
import A2ALDHT
import A2ALSimulation

/// How far adversaries got into honest routing tables (docs/benchmarks.md, "Adversaries in the
/// simulator"), read from every honest node's table after the run.
struct AdversaryCensus: Sendable {
    /// Honest routing entries in total, and those that are adversaries.
    var entries = 0
    var adversaryEntries = 0
    /// Honest nodes holding at least one adversary.
    var nodesWithAdversaries = 0
    /// Most adversaries any one honest table holds, and most of them sharing one /24.
    var maxAdversariesPerTable = 0
    var maxPerSubnetPerTable = 0
    /// Replicas honest nodes caught withholding a record (docs/security.md, "Peers that drop
    /// records"), and at the end the adversaries and the honest nodes (false accusations) that
    /// some honest node bans.
    var withholdingCaught: UInt64 = 0
    var adversariesBanned = 0
    var honestBanned = 0
    /// Rings of ground identities honest lookups saw, records they stored outside rings,
    /// searches answered from outside one, and further rings found in the shells outside one
    /// (docs/routing.md §3.14).
    var eclipseRings: UInt64 = 0
    var storesPastRing: UInt64 = 0
    var recordsPastRing: UInt64 = 0
    var shellRings: UInt64 = 0

    init(_ cluster: SimCluster, adversaries: [AdversaryNode]) {
        let ids = Set(adversaries.map(\.nodeID))
        for node in cluster.nodes {
            var count = 0
            var perSubnet: [UInt32: Int] = [:]
            let table = node.routingEntries()
            entries += table.count
            for e in table where ids.contains(e.contact.nodeID) {
                count += 1
                if let s = e.contact.endpoint.flatMap(SimAddressPlan.subnet24) { perSubnet[s, default: 0] += 1 }
            }
            adversaryEntries += count
            if count > 0 { nodesWithAdversaries += 1 }
            maxAdversariesPerTable = max(maxAdversariesPerTable, count)
            maxPerSubnetPerTable = max(maxPerSubnetPerTable, perSubnet.values.max() ?? 0)
            let stats = node.debugStats()
            withholdingCaught += stats.withholdingReplicas
            eclipseRings += stats.eclipseRings
            storesPastRing += stats.eclipseStoresPastRing
            recordsPastRing += stats.eclipseRecordsPastRing
            shellRings += stats.eclipseShellRings
        }
        // How many distinct adversaries, and honest nodes, some honest node bans now.
        let banned = Set(cluster.nodes.flatMap { $0.bannedForWithholding() })
        adversariesBanned = banned.intersection(ids).count
        honestBanned = banned.count - adversariesBanned
    }

    var json: JSON {
        .object([
            ("honest_entries", .int(entries)), ("adversary_entries", .int(adversaryEntries)),
            ("adversary_share", .double(entries > 0 ? Double(adversaryEntries) / Double(entries) : 0, places: 4)),
            ("honest_nodes_holding_adversaries", .int(nodesWithAdversaries)),
            ("max_adversaries_per_table", .int(maxAdversariesPerTable)),
            ("max_adversaries_per_24_per_table", .int(maxPerSubnetPerTable)),
            ("per_24_cap", .int(RoutingLimits.defaultMaxPerSubnet)),
            ("withholding_replicas_caught", .int(Int(withholdingCaught))),
            ("adversaries_banned_somewhere", .int(adversariesBanned)),
            ("honest_nodes_banned_somewhere", .int(honestBanned)),
            ("eclipse_rings_seen", .int(Int(eclipseRings))), ("records_stored_past_rings", .int(Int(storesPastRing))),
            ("searches_answered_past_rings", .int(Int(recordsPastRing))), ("shell_rings_seen", .int(Int(shellRings))),
        ])
    }
}
