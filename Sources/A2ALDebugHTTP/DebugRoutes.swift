import A2ALCore
import A2ALDHT

/// The four read-only debug pages of node.md §9.2, as pure functions of a node's state, so the
/// JSON can be tested without a socket and the HTTP layer only does transport.
///
/// Key order and omissions follow the Go reference exactly; our extra drop and store counters
/// are appended to `/debug/stats` after the reference keys so reference tooling still matches
/// the prefix.
public enum DebugRoutes {
    public static let identityPath = "/debug/identity"
    public static let routingPath = "/debug/routing"
    public static let storePath = "/debug/store"
    public static let statsPath = "/debug/stats"

    /// Content types and bodies of Go's `http.NotFound` / `http.Error` and JSON responses.
    public static let jsonContentType = "application/json; charset=utf-8"
    public static let textContentType = "text/plain; charset=utf-8"
    public static let notFoundBody = "404 page not found\n"
    public static let methodNotAllowedBody = "method not allowed\n"
    static let statusOK = 200
    static let statusNotFound = 404
    static let statusMethodNotAllowed = 405

    /// `{address, node_id_hex, local_addr}`.
    public static func identity(node: DHTNode) -> String {
        DebugJSON.object([
            ("address", .string(node.address.text)),
            ("node_id_hex", .string(node.nodeID.bytes.hex)),
            ("local_addr", .string(node.localAddress.description)),
        ]).encoded
    }

    /// `{self_node_id_hex, peers, total_peers}`; `peers` is `null` when the table is empty
    /// (Go's nil slice).
    public static func routing(node: DHTNode) -> String {
        let rows = node.debugRoutingRows()
        return DebugJSON.object([
            ("self_node_id_hex", .string(node.nodeID.bytes.hex)),
            ("peers", rows.isEmpty ? .null : .array(rows.map(routingRow))),
            ("total_peers", .int(Int64(rows.count))),
        ]).encoded
    }

    static func routingRow(_ r: DebugPeerRow) -> DebugJSON {
        var members: [(key: String, value: DebugJSON)] = [
            ("bucket", .int(Int64(r.bucket))),
            ("xor_distance_to_self_hex", .string(r.distanceHex)),
            ("address_hex", .string(r.addressHex)),
            ("node_id_hex", .string(r.nodeIDHex)),
            ("ip", .string(r.ip)),
            ("port", .uint(UInt64(r.port))),
        ]
        // `omitempty` on the reference's string field: unverified (hearsay) entries have none.
        if let ago = r.verifiedAgoSeconds { members.append(("verified_ago", .string(goDuration(seconds: ago)))) }
        return .object(members)
    }

    /// Array of store rows, or `null` when no record is listed.
    public static func store(node: DHTNode) -> String {
        let rows = node.debugStoreRows()
        guard !rows.isEmpty else { return DebugJSON.null.encoded }
        return DebugJSON.array(rows.map { r in
            .object([
                ("key_node_id_hex", .string(r.keyNodeIDHex)),
                ("address_hex", .string(r.addressHex)),
                ("rec_type", .uint(UInt64(r.recType))),
                ("seq", .uint(r.seq)),
                ("timestamp", .uint(r.timestamp)),
                ("ttl_seconds", .uint(UInt64(r.ttlSeconds))),
                ("payload_cbor_len", .int(Int64(r.payloadCBORLength))),
            ])
        }).encoded
    }

    /// DebugStats (§9.1) followed by our own counters.
    public static func stats(node: DHTNode) -> String { statsJSON(node.debugStats()).encoded }

    static func statsJSON(_ s: DebugStats) -> DebugJSON {
        var m: [(key: String, value: DebugJSON)] = [
            ("rx_packets_verified", .uint(s.rxPacketsVerified)),
            ("tx_packets", .uint(s.txPackets)),
            ("rpc_completed", .uint(s.rpcCompleted)),
            ("total_peers", .int(Int64(s.totalPeers))),
            ("reach_1h", .int(Int64(s.reach1h))),
            ("reach_24h", .int(Int64(s.reach24h))),
            ("reach_7d", .int(Int64(s.reach7d))),
            ("estimated_network_size", .int(Int64(s.estimatedNetworkSize))),
        ]
        // Both carry `omitempty` in the reference.
        if s.estimateConfidence != 0 { m.append(("estimate_confidence", .double(s.estimateConfidence))) }
        if s.verifiedPeers1h != 0 { m.append(("verified_peers_1h", .int(Int64(s.verifiedPeers1h)))) }
        m += [
            ("unique_nodes_since_start", .uint(s.uniqueNodesSinceStart)),
            ("dropped_malformed", .uint(s.droppedMalformed)),
            ("dropped_rate_limited", .uint(s.droppedRateLimited)),
            ("dropped_unsolicited", .uint(s.droppedUnsolicited)),
            ("dropped_unknown_type", .uint(s.droppedUnknownType)),
            ("dropped_unexpected_push", .uint(s.push.droppedUnexpected)),
            ("dropped_invalid_push", .uint(s.push.droppedInvalid)),
            ("store_keys", .int(Int64(s.storeKeys))),
            ("store_records", .int(Int64(s.storeRecords))),
        ]
        return .object(m)
    }

    /// Routes one request. `path` must already be stripped of any query string. Matching is
    /// exact (no trailing-slash variants), as with the reference's `ServeMux` patterns; an
    /// unknown path is 404 whatever the method, a known one answers only GET (HEAD too is 405).
    public static func respond(method: String, path: String, node: DHTNode)
        -> (status: Int, contentType: String, body: String) {
        let page: ((DHTNode) -> String)?
        switch path {
        case identityPath: page = identity
        case routingPath: page = routing
        case storePath: page = store
        case statsPath: page = stats
        default: page = nil
        }
        guard let page else { return (statusNotFound, textContentType, notFoundBody) }
        guard method == "GET" else { return (statusMethodNotAllowed, textContentType, methodNotAllowedBody) }
        return (statusOK, jsonContentType, page(node))
    }
}
