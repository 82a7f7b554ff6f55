import A2ALDHT

/// The metrics read at scrape time from counters and tables the node and daemon already keep
/// (docs/metrics.md), so each value is exactly what `node.stats` reports and recording them
/// costs the packet path nothing. Names follow the Prometheus conventions: `_total` for
/// counters, base units (`_bytes`, `_seconds`).
enum ScrapeWriter {
    static func write(node: DHTNode, status: DaemonStatus, into out: inout PrometheusText) {
        let s = node.debugStats()
        writeTransport(node.transportStatistics, s, into: &out)
        writePackets(node.messageTypeCounts(), into: &out)
        writeRouting(node: node, s, into: &out)
        writeStore(node: node, s, into: &out)
        writePush(s.push, into: &out)
        out.family("a2al_rpc_connections", .gauge, help: "Open JSON-RPC connections.", status.rpcConnections())
        out.family("a2al_rpc_subscriptions", .gauge, help: "Live event subscriptions over all connections.",
                   status.rpcSubscriptions())
        out.family("a2al_rpc_watches", .gauge, help: "Live watches over all connections.", status.rpcWatches())
        out.family("a2al_agents", .gauge, help: "Agents (identities) the daemon holds.", status.agentCount())
    }

    /// Every datagram read ends in exactly one of: verified packet or a drop reason
    /// (docs/architecture.md, "Datagram accounting").
    static func writeTransport(_ t: TransportStatistics, _ s: DebugStats, into out: inout PrometheusText) {
        out.family("a2al_udp_datagrams_received_total", .counter, help: "Datagrams read from the UDP socket.",
                   t.datagramsReceived)
        out.family("a2al_udp_datagrams_sent_total", .counter, help: "Datagrams the UDP socket sent.", t.datagramsSent)
        out.family("a2al_udp_receive_errors_total", .counter, help: "Failed reads on the UDP socket.", t.receiveErrors)
        out.family("a2al_udp_send_errors_total", .counter, help: "Sends the UDP socket refused.", t.sendErrors)
        out.family("a2al_udp_socket_rebinds_total", .counter, help: "Times the UDP socket was bound again after failing.",
                   t.rebinds)
        out.family("a2al_udp_socket_up", .gauge, help: "1 while the UDP socket is bound and reading, else 0.",
                   t.state == .up ? 1 : 0)
        var drops: [(String, UInt64)] = [
            ("oversize", t.droppedOversize), ("unreadable", t.droppedUnreadable), ("queue_full", t.droppedQueueFull),
            ("malformed", s.droppedMalformed), ("rate_limited", s.droppedRateLimited),
            ("global_rate_limited", s.droppedGlobalRateLimited), ("unknown_type", s.droppedUnknownType),
            ("unsolicited", s.droppedUnsolicited),
        ]
        // Only where the kernel reports it (SO_RXQ_OVFL); absent rather than a false 0.
        if let kernel = t.droppedKernel { drops.insert(("kernel", kernel), at: 0) }
        out.family("a2al_dht_datagrams_dropped_total", .counter,
                   help: "Inbound datagrams dropped, by reason (unsolicited: verified replies matching no request).",
                   label: "reason", drops)
        out.family("a2al_dht_junk_contacts_dropped_total", .counter,
                   help: "Contacts in peers' answers refused as junk.", s.droppedJunkContacts)
        out.family("a2al_dht_reply_send_failures_total", .counter, help: "Replies that could not be sent.",
                   s.replySendFailures)
        out.family("a2al_dht_requests_answered_total", .counter, help: "Outbound DHT requests that got their reply.",
                   s.rpcCompleted)
    }

    static func writePackets(_ counts: [MessageTypeCount], into out: inout PrometheusText) {
        out.family("a2al_dht_packets_received_total", .counter, help: "Verified DHT packets received, by message type.",
                   label: "type", counts.map { ($0.type.description, $0.received) })
        out.family("a2al_dht_packets_sent_total", .counter, help: "DHT packets handed to the transport, by message type.",
                   label: "type", counts.map { ($0.type.description, $0.sent) })
    }

    static func writeRouting(node: DHTNode, _ s: DebugStats, into out: inout PrometheusText) {
        let health = node.routingHealthCounts()
        out.family("a2al_routing_table_peers", .gauge, help: "Peers in the routing table.", s.totalPeers)
        out.family("a2al_routing_peers_by_health", .gauge, help: "Routing-table peers by health class.", label: "health",
                   [("good", UInt64(health.good)), ("bad", UInt64(health.bad)), ("unknown", UInt64(health.unknown))])
        out.family("a2al_routing_verified_peers_1h", .gauge, help: "Distinct peers verified within the last hour.",
                   s.verifiedPeers1h)
        out.family("a2al_routing_unique_peers_seen_total", .counter, help: "Distinct peers seen since start.",
                   s.uniqueNodesSinceStart)
        out.family("a2al_routing_withholding_replicas_total", .counter,
                   help: "Replicas caught withholding a record they acknowledged (each then banned).", s.withholdingReplicas)
        out.family("a2al_routing_withholding_bans", .gauge,
                   help: "Peers kept out of the routing table, lookups and replica sets for withholding records.",
                   s.withholdingBans)
        out.family("a2al_routing_eclipse_rings_total", .counter,
                   help: "Lookups whose closest answers were a ring of ground identities around the key.", s.eclipseRings)
        out.family("a2al_routing_stores_past_rings_total", .counter,
                   help: "Records stored, acknowledged, at the closest nodes outside such a ring.", s.eclipseStoresPastRing)
        out.family("a2al_routing_records_past_rings_total", .counter,
                   help: "Record searches a ring left empty that found their record outside it.", s.eclipseRecordsPastRing)
        out.family("a2al_routing_shell_rings_total", .counter,
                   help: "Further rings of ground identities found among the nodes outside a ring, and left out.", s.eclipseShellRings)
        out.family("a2al_network_size_estimate", .gauge, help: "Network size estimated from bucket densities.",
                   node.estimatedNetworkSize())
    }

    static func writeStore(node: DHTNode, _ s: DebugStats, into out: inout PrometheusText) {
        let replication = node.replicationSummary
        out.family("a2al_store_keys", .gauge, help: "Keys in the local record store.", s.storeKeys)
        out.family("a2al_store_records", .gauge, help: "Records in the local record store.", s.storeRecords)
        out.family("a2al_store_bytes", .gauge, help: "Record bytes the local store holds.", s.storeBytes)
        out.family("a2al_store_max_keys", .gauge, help: "Configured limit of store keys.", node.maxStoreKeys)
        out.family("a2al_store_max_bytes", .gauge, help: "Configured limit of store bytes.", node.storeBudget.maxBytes)
        out.family("a2al_store_refused_over_quota_total", .counter,
                   help: "STOREs refused because their source held its byte share.", s.storeRefusedOverQuota)
        out.family("a2al_store_evicted_for_bytes_total", .counter, help: "Keys evicted to stay within the byte budget.",
                   s.storeEvictedForBytes)
        out.family("a2al_replication_sets", .gauge, help: "Records this node publishes and keeps replicated.",
                   replication.sets)
        out.family("a2al_replication_replicas", .gauge, help: "Confirmed replica holders over all replication sets.",
                   replication.replicas)
    }

    static func writePush(_ p: PushStats, into out: inout PrometheusText) {
        out.family("a2al_push_received_total", .counter, help: "Valid DHT pushes received and delivered.", p.received)
        out.family("a2al_push_sent_total", .counter, help: "DHT pushes sent to subscribers.", p.sent)
        out.family("a2al_push_acknowledged_total", .counter, help: "DHT pushes sent and acknowledged.", p.acknowledged)
        out.family("a2al_push_dropped_total", .counter, help: "DHT pushes received and dropped, by reason.", label: "reason",
                   [("unexpected", p.droppedUnexpected), ("invalid", p.droppedInvalid)])
        out.family("a2al_push_rate_limited_total", .counter, help: "DHT pushes not sent: the destination was over its rate.",
                   p.rateLimited)
        out.family("a2al_push_subscriptions_total", .counter, help: "Push subscriptions of peers, by outcome.",
                   label: "outcome", [("registered", p.subscriptionsRegistered), ("refused", p.subscriptionsRefused)])
        out.family("a2al_push_subscribers", .gauge, help: "Peers subscribed to pushes from this node.", p.subscribers)
    }
}
