import A2ALCore
import A2ALDHT
import A2ALNIOSupport
import A2ALRPC
import NIOHTTP1

/// The four read-only debug pages of docs/node-behaviour.md §9.2, as pure functions of a node's
/// state, so the JSON can be tested without a socket and the HTTP layer only does transport.
///
/// Key order and omissions follow the Go reference exactly; our extra drop and store counters
/// are appended to `/debug/stats` after the reference keys so reference tooling still matches
/// the prefix.
public enum DebugRoutes {
    public static let identityPath = "/debug/identity"
    public static let routingPath = "/debug/routing"
    public static let storePath = "/debug/store"
    public static let statsPath = "/debug/stats"

    /// Content type of the pages and bodies of Go's `http.NotFound` / `http.Error`.
    public static let jsonContentType = "application/json; charset=utf-8"
    public static let notFoundBody = "404 page not found\n"
    public static let methodNotAllowedBody = "method not allowed\n"

    /// `{address, node_id_hex, local_addr}`.
    public static func identity(node: DHTNode) -> String {
        GoJSON.encode([
            "address": .string(node.address.text),
            "node_id_hex": .string(node.nodeID.bytes.hex),
            "local_addr": .string(node.localAddress.description),
        ])
    }

    /// `{self_node_id_hex, peers, total_peers}`; `peers` is `null` when the table is empty
    /// (Go's nil slice).
    public static func routing(node: DHTNode) -> String {
        let rows = node.debugRoutingRows()
        return GoJSON.encode([
            "self_node_id_hex": .string(node.nodeID.bytes.hex),
            "peers": rows.isEmpty ? .null : .array(rows.map(routingRow)),
            "total_peers": .integer(rows.count),
        ])
    }

    static func routingRow(_ r: DebugPeerRow) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("bucket", .integer(r.bucket)),
            ("xor_distance_to_self_hex", .string(r.distanceHex)),
            ("address_hex", .string(r.addressHex)),
            ("node_id_hex", .string(r.nodeIDHex)),
            ("ip", .string(r.ip)),
            ("port", .integer(r.port)),
        ]
        // `omitempty` on the reference's string field: unverified (hearsay) entries have none.
        if let ago = r.verifiedAgoSeconds { members.append(("verified_ago", .string(goDuration(seconds: ago)))) }
        return .object(JSONObject(members))
    }

    /// Array of store rows, or `null` when no record is listed.
    public static func store(node: DHTNode) -> String {
        let rows = node.debugStoreRows()
        guard !rows.isEmpty else { return GoJSON.encode(.null) }
        return GoJSON.encode(.array(rows.map { r in
            .object(JSONObject([
                ("key_node_id_hex", .string(r.keyNodeIDHex)),
                ("address_hex", .string(r.addressHex)),
                ("rec_type", .integer(r.recType)),
                ("seq", .integer(r.seq)),
                ("timestamp", .integer(r.timestamp)),
                ("ttl_seconds", .integer(r.ttlSeconds)),
                ("payload_cbor_len", .integer(r.payloadCBORLength)),
            ]))
        }))
    }

    /// DebugStats (§9.1) followed by our own counters.
    public static func stats(node: DHTNode) -> String { GoJSON.encode(statsJSON(node.debugStats())) }

    static func statsJSON(_ s: DebugStats) -> JSONValue {
        var m: [(String, JSONValue)] = [
            ("rx_packets_verified", .integer(s.rxPacketsVerified)),
            ("tx_packets", .integer(s.txPackets)),
            ("rpc_completed", .integer(s.rpcCompleted)),
            ("total_peers", .integer(s.totalPeers)),
            ("reach_1h", .integer(s.reach1h)),
            ("reach_24h", .integer(s.reach24h)),
            ("reach_7d", .integer(s.reach7d)),
            ("estimated_network_size", .integer(s.estimatedNetworkSize)),
        ]
        // Both carry `omitempty` in the reference.
        if s.estimateConfidence != 0 { m.append(("estimate_confidence", .double(s.estimateConfidence))) }
        if s.verifiedPeers1h != 0 { m.append(("verified_peers_1h", .integer(s.verifiedPeers1h))) }
        m += [
            ("unique_nodes_since_start", .integer(s.uniqueNodesSinceStart)),
            ("dropped_malformed", .integer(s.droppedMalformed)),
            ("dropped_rate_limited", .integer(s.droppedRateLimited)),
            ("dropped_unsolicited", .integer(s.droppedUnsolicited)),
            ("dropped_unknown_type", .integer(s.droppedUnknownType)),
            ("dropped_unexpected_push", .integer(s.push.droppedUnexpected)),
            ("dropped_invalid_push", .integer(s.push.droppedInvalid)),
            ("store_keys", .integer(s.storeKeys)),
            ("store_records", .integer(s.storeRecords)),
        ]
        return .object(JSONObject(m))
    }

    /// Routes one request. `path` must already be stripped of any query string. Matching is
    /// exact (no trailing-slash variants), as with the reference's `ServeMux` patterns; an
    /// unknown path is 404 whatever the method, a known one answers only GET (HEAD too is 405).
    public static func page(method: HTTPMethod, path: String, node: DHTNode) -> HTTPPage {
        let page: ((DHTNode) -> String)?
        switch path {
        case identityPath: page = identity
        case routingPath: page = routing
        case storePath: page = store
        case statsPath: page = stats
        default: page = nil
        }
        guard let page else { return .text(.notFound, notFoundBody) }
        guard method == .GET else { return .text(.methodNotAllowed, methodNotAllowedBody) }
        return HTTPPage(status: .ok, contentType: jsonContentType, body: Array(page(node).utf8))
    }
}
