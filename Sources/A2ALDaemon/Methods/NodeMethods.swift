import A2ALCore
import A2ALDHT
import A2ALProtocol
import A2ALRPC

/// The `node.*` methods of docs/jsonrpc.md: the local node (this file), single-peer RPCs
/// (`NodeMethods+Peers.swift`) and contacts, bootstrap and settings (`NodeMethods+Contacts.swift`).
package enum NodeMethods {
    /// Default `timeout_ms` of the single-peer RPCs and of `node.bootstrap`.
    package static let peerTimeoutMs: Int64 = 5_000
    package static let bootstrapTimeoutMs: Int64 = 15_000

    /// `resolver` resolves the host names `node.bootstrap` is given (tests inject a hung one).
    package static func register(into router: inout RPCRouter, node: DHTNode, observed: ObservedAddressTracker,
                                status: DaemonStatus, resolver: HostNameResolver = .system) {
        registerLocal(into: &router, node: node, observed: observed, status: status)
        registerPeers(into: &router, node: node)
        registerContacts(into: &router, node: node, observed: observed, resolver: resolver)
    }

    static func registerLocal(into router: inout RPCRouter, node: DHTNode, observed: ObservedAddressTracker,
                              status: DaemonStatus) {
        // The identity never changes: rendered once, not on every call.
        let identity = NodeIdentityText(node: node)
        router.registerImmediate("node.info", summary: "Identity, addresses, uptime and sizes of the local node") { call in
            try call.params.finish()
            return info(node: node, observed: observed, status: status, identity: identity)
        }
        router.registerImmediate("node.stats", summary: "Routing, store, transport, health and network-size statistics") { call in
            try call.params.finish()
            return stats(node: node, status: status)
        }
        router.registerImmediate("node.routing", summary: "The routing table: non-empty buckets and their nodes") { call in
            try call.params.finish()
            return routing(node: node)
        }
    }

    static func info(node: DHTNode, observed: ObservedAddressTracker, status: DaemonStatus,
                     identity: NodeIdentityText) -> JSONObject {
        let now = SystemClock().unixSeconds()
        let summary = node.summary()
        let transport = node.transportLiveness
        let nat = status.nat().natClass
        return [
            "address": .string(identity.address),
            "node_id": .string(identity.nodeID),
            "version": .string(status.version),
            "started_at": .integer(status.startedAt),
            "uptime_s": .integer(now > status.startedAt ? now - status.startedAt : 0),
            "listen_addrs": .strings(status.listenAddrs()),
            // A deaf node must not look healthy (docs/jsonrpc.md, node.info).
            "transport_state": .string(transport.state.rawValue),
            "socket_rebinds": .integer(transport.rebinds),
            "socket": .string(status.socketPath()),
            "data_dir": .string(status.dataDir),
            "passive": .bool(summary.passiveRouting),
            "public_addr": .optional(observed.publicAddress),
            "nat_type": .string(nat.name),
            "nat_type_code": .integer(nat.code),
            // Peers met at our public IP on another port: behind our NAT (docs/protocol.md, hairpin).
            "same_nat_peers": .strings(summary.sameNATPeers.map(\.description)),
            "routing_table_size": .integer(summary.routingTableSize),
            "good_peers": .integer(summary.goodPeers),
            "network_size": .integer(summary.estimatedNetworkSize),
            "store_keys": .integer(summary.storeKeys),
            "agents": .integer(status.agentCount()),
        ]
    }

    /// The node's address and id as text.
    struct NodeIdentityText: Sendable {
        let address: String
        let nodeID: String

        init(node: DHTNode) {
            address = node.address.text
            nodeID = node.nodeID.description
        }
    }

    /// The node's debug statistics (the data behind /debug/stats) grouped by area.
    static func stats(node: DHTNode, status: DaemonStatus) -> JSONObject {
        let s = node.debugStats()
        let health = node.routingHealthCounts()
        let replication = node.replicationSummary
        return [
            "routing": [
                "total_peers": .integer(s.totalPeers),
                "verified_peers_1h": .integer(s.verifiedPeers1h),
                "reach_1h": .integer(s.reach1h),
                "reach_24h": .integer(s.reach24h),
                "reach_7d": .integer(s.reach7d),
                "unique_nodes_since_start": .integer(s.uniqueNodesSinceStart),
                "withholding_replicas": .integer(s.withholdingReplicas),
                "withholding_bans": .integer(s.withholdingBans),
                "eclipse_rings": .integer(s.eclipseRings),
                "stores_past_rings": .integer(s.eclipseStoresPastRing),
                "records_past_rings": .integer(s.eclipseRecordsPastRing),
                "shell_rings": .integer(s.eclipseShellRings),
                "passive": .bool(node.isPassiveRouting),
            ],
            "store": [
                "keys": .integer(s.storeKeys),
                "records": .integer(s.storeRecords),
                "max_keys": .integer(node.maxStoreKeys),
                "bytes": .integer(s.storeBytes),
                "max_bytes": .integer(node.storeBudget.maxBytes),
                "max_bytes_per_source": .integer(node.storeBudget.maxBytesPerSource),
                "refused_over_quota": .integer(s.storeRefusedOverQuota),
                "evicted_for_bytes": .integer(s.storeEvictedForBytes),
                "replica_sets": .integer(replication.sets),
                "replicas": .integer(replication.replicas),
            ],
            "transport": .object(transportStats(node: node, debug: s)),
            "push": [
                "dropped_unexpected": .integer(s.push.droppedUnexpected),
                "dropped_invalid": .integer(s.push.droppedInvalid),
                "received": .integer(s.push.received),
                "sent": .integer(s.push.sent),
                "acknowledged": .integer(s.push.acknowledged),
                "rate_limited": .integer(s.push.rateLimited),
                "subscriptions_registered": .integer(s.push.subscriptionsRegistered),
                "subscriptions_refused": .integer(s.push.subscriptionsRefused),
                "subscribers": .integer(s.push.subscribers),
                "expected_pushes": .integer(s.push.expectedPushes),
                "watched_keys": .integer(s.push.watchedKeys),
            ],
            "health": [
                "good": .integer(health.good),
                "bad": .integer(health.bad),
                "unknown": .integer(health.unknown),
            ],
            "network_size": .object(networkSize(node: node, window: NodeConstants.verifiedFreshWindow)),
            "rpc": [
                "connections": .integer(status.rpcConnections()),
                "subscriptions": .integer(status.rpcSubscriptions()),
                "watches": .integer(status.rpcWatches()),
            ],
        ]
    }

    /// `{"estimate", "filtered_estimate", "confidence"}`: the estimate from every entry, and the
    /// one from entries verified within `window` with its confidence in [0, 1].
    static func networkSize(node: DHTNode, window: Duration) -> JSONObject {
        let filtered = node.estimatedNetworkSize(verifiedWithin: window)
        return [
            "estimate": .integer(node.estimatedNetworkSize()),
            "filtered_estimate": .integer(filtered.estimate),
            "confidence": .double(filtered.confidence),
        ]
    }

    /// Non-empty buckets in index order, from the rows /debug/routing shows.
    static func routing(node: DHTNode) -> JSONObject {
        let now = SystemClock().unixSeconds()
        var buckets: [(index: Int, nodes: [JSONValue])] = []
        for row in node.debugRoutingRows() {
            guard let idBytes = Hex.decode(row.nodeIDHex), let id = NodeID(bytes: idBytes) else { continue }
            let address = Hex.decode(row.addressHex).flatMap { Address(bytes: $0) }
            let endpoint = IPAddress(text: row.ip).map { WireEndpoint(ip: $0, port: row.port) }
            var o = NodeJSON.render(id: id, address: address, addr: endpoint.map { .udp($0) })
            o["health"] = .string(node.peerHealth(id).description)
            o["wire_generation"] = .string(node.wireGeneration(of: id).name)
            o["verified_at"] = row.verifiedAgoSeconds.map { ago in
                .integer(ago <= 0 ? now : (UInt64(ago) >= now ? 0 : now - UInt64(ago)))
            } ?? .null
            if buckets.last?.index == row.bucket {
                buckets[buckets.count - 1].nodes.append(.object(o))
            } else {
                buckets.append((row.bucket, [.object(o)]))
            }
        }
        return ["buckets": .array(buckets.map { ["index": .integer($0.index), "nodes": .array($0.nodes)] })]
    }
}
