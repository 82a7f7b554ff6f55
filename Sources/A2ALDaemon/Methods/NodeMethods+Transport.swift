import A2ALDHT
import A2ALRPC

extension NodeMethods {
    /// `node.stats.transport`: the node's packet counters and its socket's, which together
    /// account for every datagram (docs/jsonrpc.md, "node.stats"; docs/architecture.md,
    /// "Datagram accounting"): `datagrams_received` + `dropped_kernel` reached the socket;
    /// `datagrams_received` = `dropped_oversize` + `dropped_unreadable` + `dropped_queue_full`
    /// + `rx_packets_verified` + `dropped_malformed` + `dropped_rate_limited`
    /// + `dropped_global_rate_limited` + `dropped_unknown_type`.
    static func transportStats(node: DHTNode, debug s: DebugStats) -> JSONObject {
        let t = node.transportStatistics
        return [
            "local_addr": .string(node.localAddress.description),
            "state": .string(t.state.rawValue),
            "socket_rebinds": .integer(t.rebinds),
            "last_error": .optional(t.lastError),
            "datagrams_received": .integer(t.datagramsReceived),
            "dropped_kernel": t.droppedKernel.map { .integer($0) } ?? .null,
            "dropped_oversize": .integer(t.droppedOversize),
            "dropped_unreadable": .integer(t.droppedUnreadable),
            "dropped_queue_full": .integer(t.droppedQueueFull),
            "receive_errors": .integer(t.receiveErrors),
            "rx_packets_verified": .integer(s.rxPacketsVerified),
            "dropped_malformed": .integer(s.droppedMalformed),
            "dropped_rate_limited": .integer(s.droppedRateLimited),
            "dropped_global_rate_limited": .integer(s.droppedGlobalRateLimited),
            "dropped_unsolicited": .integer(s.droppedUnsolicited),
            "dropped_unknown_type": .integer(s.droppedUnknownType),
            "dropped_junk_contacts": .integer(s.droppedJunkContacts),
            "reply_send_failures": .integer(s.replySendFailures),
            "tx_packets": .integer(s.txPackets),
            "datagrams_sent": .integer(t.datagramsSent),
            "send_errors": .integer(t.sendErrors),
            "last_send_error": .optional(t.lastSendError),
            "rpc_completed": .integer(s.rpcCompleted),
        ]
    }
}
