import A2ALCore
import A2ALProtocol

/// A seed whose identity is known in advance.
public struct BootstrapSeed: Sendable {
    public var address: PeerAddress
    public var info: NodeInfo
    public init(address: PeerAddress, info: NodeInfo) {
        self.address = address
        self.info = info
    }
}

extension DHTNode {
    /// Joins through seeds known only by address (node.md §3.5): pings every seed concurrently
    /// (identity learnt from the PONG), then asks the seeds that answered for the nodes closest
    /// to us and absorbs them. Returns the number of seeds that answered; fails only if none did.
    @discardableResult
    public func bootstrap(addresses: [PeerAddress], timeout: Duration = NodeConstants.bootstrapPingTimeout) async throws(DHTError) -> Int {
        try await start()
        guard !addresses.isEmpty else { return 0 }
        let identities = await withTaskGroup(of: (PeerAddress, PeerIdentity?).self) { group in
            for a in addresses {
                group.addTask {
                    do {
                        let id = try await self.ping(a, timeout: timeout)
                        self.logger.debug("bootstrap ping ok", metadata: ["addr": "\(a)", "node_id": "\(id.nodeID)"])
                        return (a, id)
                    } catch {
                        self.logger.debug("bootstrap ping failed", metadata: ["addr": "\(a)", "err": "\(error)"])
                        return (a, nil)
                    }
                }
            }
            var out: [(PeerAddress, PeerIdentity)] = []
            for await (a, id) in group { if let id { out.append((a, id)) } }
            return out
        }
        guard !identities.isEmpty else { throw .allSeedsUnreachable }
        await expandFromSeeds(identities.map { ($0.0, $0.1.nodeID) })
        return identities.count
    }

    /// Joins through `host:port` seeds; names are resolved first. Unresolvable seeds are skipped
    /// (and logged); fails if none resolves or none answers.
    @discardableResult
    public func bootstrap(hostPorts: [String], timeout: Duration = NodeConstants.bootstrapPingTimeout) async throws(DHTError) -> Int {
        var addresses: [PeerAddress] = []
        for hp in hostPorts {
            do {
                addresses.append(contentsOf: try await AddressResolver.resolve(hp))
            } catch {
                logger.warning("bootstrap seed skipped", metadata: ["seed": "\(hp)", "err": "\(error)"])
            }
        }
        guard !addresses.isEmpty || hostPorts.isEmpty else { throw .allSeedsUnreachable }
        return try await bootstrap(addresses: addresses, timeout: timeout)
    }

    /// Joins through seeds with known identities (node.md §3.6): pins them without a ping, then
    /// expands from them.
    public func bootstrap(seeds: [BootstrapSeed]) async throws {
        try await start()
        for s in seeds { addContact(s.address, info: s.info) }
        await expandFromSeeds(seeds.map { ($0.address, $0.info.nodeID) })
    }

    /// FIND_NODE(self) at each seed, then at the closest new contacts for a few rounds, absorbing
    /// every answer as hearsay. A compact stand-in until the iterative lookup engine runs it.
    func expandFromSeeds(_ seeds: [(PeerAddress, NodeID)]) async {
        var asked = Set<NodeID>()
        var round = seeds
        for _ in 0..<3 where !round.isEmpty {
            for (_, id) in round { asked.insert(id) }
            await withTaskGroup(of: Void.self) { group in
                for (addr, id) in round {
                    group.addTask {
                        guard let nodes = try? await self.findNode(at: addr, expectedID: id, lookingFor: self.nodeID,
                                                                   timeout: NodeConstants.bootstrapFindNodeTimeout) else { return }
                        for n in nodes { self.absorb(n, learnedFrom: id) }
                    }
                }
            }
            round = nearest(to: nodeID, count: NodeConstants.k).compactMap { c in
                guard !asked.contains(c.nodeID), let a = dialAddress(of: c.nodeID) else { return nil }
                return (a, c.nodeID)
            }
        }
    }
}
