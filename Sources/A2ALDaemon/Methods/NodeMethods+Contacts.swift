import A2ALCore
import A2ALDHT
import A2ALProtocol
import A2ALRPC

/// Bootstrap, contacts and what the node knows about its peers.
extension NodeMethods {
    /// Seeds accepted by one `node.bootstrap`.
    package static let maxBootstrapPeers = 64

    static func registerContacts(into router: inout RPCRouter, node: DHTNode, observed: ObservedAddressTracker,
                                 resolver: HostNameResolver) {
        router.register("node.bootstrap", summary: "Join the DHT through host:port seeds (names are resolved)") { call in
            let p = call.params
            guard let peers = try p.stringArray("peers", maxCount: maxBootstrapPeers, maxLength: 300) else {
                throw p.invalid("peers", "required array of \"host:port\" is missing")
            }
            guard !peers.isEmpty else { throw p.invalid("peers", "give at least one \"host:port\"") }
            for (i, peer) in peers.enumerated() where AddressResolver.split(peer) == nil {
                throw p.invalid("peers[\(i)]", "\"\(peer)\" is not \"host:port\" or \"[ipv6]:port\" with a port 1-65535")
            }
            let timeout = try p.timeout(defaultMs: bootstrapTimeoutMs)
            try p.finish()
            return try await withCallTimeout(timeout, "node.bootstrap") {
                try await bootstrap(node: node, peers: peers, timeout: timeout, resolver: resolver)
            }
        }

        router.register("node.bootstrap_candidates", summary: "Peer addresses worth bootstrapping from next time") { call in
            let p = call.params
            let max = try p.int("max", in: 1...1024, default: 16)
            try p.finish()
            let addrs = node.bootstrapCandidates(max: Int(max)).compactMap(NodeJSON.text(of:))
            return ["addrs": .strings(addrs)]
        }

        router.register("node.add_contact", summary: "Pin a user-configured peer in the routing table (no traffic sent)") { call in
            let p = call.params
            let addr = try p.endpoint("addr")
            let address = try p.address("address")
            try p.finish()
            node.addContact(.udp(addr), info: NodeInfo(address: address, endpoint: addr))
            return ["added": true]
        }

        router.register("node.bind_peer_addr", summary: "Record the dial address of a node ID") { call in
            let p = call.params
            let id = try p.nodeID("node_id")
            let addr = try p.peerAddress("addr")
            try p.finish()
            node.bindPeerAddress(id, addr)
            return ["bound": true]
        }

        router.register("node.peer_health", summary: "Health class of a peer and whether it may be contacted now") { call in
            let p = call.params
            let id = try p.nodeID("node_id")
            try p.finish()
            return [
                "node_id": .string(id.description),
                "health": .string(node.peerHealth(id).description),
                "allow_contact": .bool(node.peerAllowContact(id)),
                "wire_generation": .string(node.wireGeneration(of: id).name),
            ]
        }

        router.register("node.peer_rtt", summary: "Last measured round-trip time to a peer address") { call in
            let p = call.params
            let addr = try p.peerAddress("addr")
            try p.finish()
            return ["rtt_ms": node.peerRTT(addr).map { .double(milliseconds($0)) } ?? .null]
        }

        router.register("node.observed_addrs", summary: "Our address as peers report it, and the agreed public address") { call in
            try call.params.finish()
            let reports = observed.reports(now: SystemClock().unixSeconds()).map { r -> JSONValue in
                ["reporter": .string(r.0.description), "observed": .string(r.1), "at": .integer(r.2)]
            }
            return ["public_addr": .optional(observed.publicAddress), "reports": .array(reports)]
        }

        registerSettings(into: &router, node: node)
    }

    /// Resolves every seed at once (a bad or hung name does not spoil the others), then pings
    /// the resolved ones and looks up our own ID. Names get the resolver's deadline, at most half
    /// the call's (docs/architecture.md, "Name resolution"). Fails with `bad_address` when no
    /// seed resolves, `timeout` when every name timed out or no seed answers.
    static func bootstrap(node: DHTNode, peers: [String], timeout: Duration,
                          resolver: HostNameResolver = .system) async throws -> JSONObject {
        var addresses: [PeerAddress] = []
        var failures: [JSONValue] = []
        var allTimedOut = true
        let outcomes = await AddressResolver.resolveAll(peers, using: resolver, within: timeout / 2)
        for (peer, outcome) in zip(peers, outcomes) {
            switch outcome {
            case .success(let found):
                addresses.append(contentsOf: found)
            case .failure(let error):
                if case .resolutionTimedOut = error {} else { allTimedOut = false }
                failures.append(["peer": .string(peer), "reason": .string(error.description)])
            }
        }
        guard !addresses.isEmpty else {
            if allTimedOut, !failures.isEmpty {
                let limit = DHTErrorMapping.milliseconds(min(resolver.timeout, timeout / 2))
                throw RPCError.app(.timeout, "node.bootstrap: no host name resolved within \(limit) ms",
                                   ["timeout_ms": .int(limit), "unresolved": .array(failures)])
            }
            throw RPCError.app(.badAddress, "node.bootstrap: no peer could be resolved", ["failures": .array(failures)])
        }
        // The pings get at most the default bootstrap deadline and leave time for the lookup.
        let pingTimeout = min(NodeConstants.bootstrapPingTimeout, lookupDeadline(within: timeout / 2))
        do throws(DHTError) {
            _ = try await node.bootstrap(addresses: addresses, timeout: pingTimeout)
        } catch .allSeedsUnreachable {
            throw RPCError.app(.timeout, "node.bootstrap: no peer answered within \(DHTErrorMapping.milliseconds(pingTimeout)) ms",
                               ["timeout_ms": .int(DHTErrorMapping.milliseconds(pingTimeout)),
                                "unresolved": .array(failures)])
        } catch {
            throw DHTErrorMapping.rpcError(error, "node.bootstrap")
        }
        return ["routing_table_size": .integer(node.routingTableSize)]
    }
}
