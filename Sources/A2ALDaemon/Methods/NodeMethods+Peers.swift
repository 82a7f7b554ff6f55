import A2ALCore
import A2ALDHT
import A2ALProtocol
import A2ALRPC

/// Single-peer RPCs: one request to one peer at "ip:port", no iteration.
extension NodeMethods {
    static func registerPeers(into router: inout RPCRouter, node: DHTNode) {
        // Single-peer RPCs get a deadline a little inside the call's: the node's own timeout then
        // fires first and is recorded against the peer's health, instead of the call's timer
        // cancelling the request (which, rightly, is not the peer's fault).
        router.register("node.ping", summary: "PING a peer: its identity and the round-trip time") { call in
            let p = call.params
            let addr = try p.peerAddress("addr")
            let timeout = try p.timeout(defaultMs: peerTimeoutMs)
            try p.finish()
            let what = "node.ping to \(addr)"
            let clock = ContinuousClock()
            let started = clock.now
            let id = try await withCallTimeout(timeout, what) { try await node.ping(addr, timeout: lookupDeadline(within: timeout)) }
            let rtt = clock.now - started
            return [
                "node": .object(NodeJSON.render(id: id.nodeID, address: id.address, addr: addr)),
                "rtt_ms": .double(milliseconds(rtt)),
            ]
        }

        router.register("node.find_node", summary: "FIND_NODE at one peer: the contacts it knows closest to a target") { call in
            let p = call.params
            let addr = try p.peerAddress("addr")
            let target = try p.nodeID("target")
            let timeout = try p.timeout(defaultMs: peerTimeoutMs)
            try p.finish()
            let nodes = try await withCallTimeout(timeout, "node.find_node at \(addr)") {
                try await node.findNode(at: addr, lookingFor: target, timeout: lookupDeadline(within: timeout))
            }
            return ["nodes": NodeJSON.render(nodes)]
        }

        router.register("node.find_value", summary: "FIND_VALUE at one peer: its records at a key (unverified) and contacts") { call in
            let p = call.params
            let addr = try p.peerAddress("addr")
            let key = try p.nodeID("key")
            let type = try p.recordType("type", default: 0)
            let timeout = try p.timeout(defaultMs: peerTimeoutMs)
            try p.finish()
            let result = try await withCallTimeout(timeout, "node.find_value at \(addr)") {
                try await node.findValue(at: addr, key: key, recType: type, timeout: lookupDeadline(within: timeout))
            }
            return ["records": RecordJSON.render(result.records, key: key), "nodes": NodeJSON.render(result.nodes)]
        }

        router.register("node.store_at", summary: "STORE a signed record at one peer") { call in
            let p = call.params
            let addr = try p.peerAddress("addr")
            let key = try p.nodeID("key")
            let record = try p.signedRecord("record")
            let timeout = try p.timeout(defaultMs: peerTimeoutMs)
            try p.finish()
            let outcome = try await withCallTimeout(timeout, "node.store_at \(addr)") {
                try await node.storeAt(addr, key: key, record: record, timeout: lookupDeadline(within: timeout))
            }
            var result: JSONObject = ["stored": .bool(outcome.holdsRecord), "already_had": .bool(outcome == .alreadyHad)]
            if case .refused(let why) = outcome { result["refusal"] = .string(why.name) }
            return result
        }

        router.register("node.nat_probe", summary: "Ask a peer to echo to our claimed public address") { call in
            let p = call.params
            let addr = try p.peerAddress("addr")
            let claimed = try p.endpoint("claimed_addr")
            let timeout = try p.timeout(defaultMs: peerTimeoutMs)
            try p.finish()
            // No echo is an answer (false), not an error: the probe waits a little less than the
            // call's timeout so that answer gets through.
            let echoed = try await withCallTimeout(timeout, "node.nat_probe via \(addr)") {
                try await node.natProbe(via: addr, claimed: claimed, timeout: lookupDeadline(within: timeout))
            }
            return ["echoed": .bool(echoed)]
        }
    }

    /// A duration in milliseconds with a fractional part.
    static func milliseconds(_ d: Duration) -> Double {
        let c = d.components
        return Double(c.seconds) * 1000 + Double(c.attoseconds) / 1e15
    }
}
