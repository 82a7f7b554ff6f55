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
    /// Joins through seeds known only by address (docs/node-behaviour.md §3.5): pings every seed
    /// concurrently (identity learnt from the PONG), then runs an iterative lookup of our own ID.
    /// Returns the number of seeds that answered; fails only if none did.
    @discardableResult
    public func bootstrap(addresses: [PeerAddress], timeout: Duration = NodeConstants.bootstrapPingTimeout) async throws(DHTError) -> Int {
        try await start()
        guard !addresses.isEmpty else { return 0 }
        let identities = await withTaskGroup(of: (PeerAddress, PeerIdentity?).self) { group in
            for a in addresses {
                group.addTask {
                    do {
                        // Short attempts: a lost datagram costs one second, not five.
                        let id = try await self.ping(a, timeout: timeout, attempts: NodeConstants.bootstrapPingAttempts,
                                                     attemptTimeout: NodeConstants.bootstrapPingAttemptTimeout)
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
        let found = await lookup(nodeID)
        logger.debug("bootstrap lookup(self) done", metadata: ["peers_found": "\(found.count)"])
        return identities.count
    }

    /// Joins through `host:port` seeds; names are resolved first, all at once and each with the
    /// resolver's deadline. Unresolvable seeds are skipped (and logged); fails if none resolves
    /// or none answers.
    @discardableResult
    public func bootstrap(hostPorts: [String], timeout: Duration = NodeConstants.bootstrapPingTimeout,
                          resolver: HostNameResolver = .system) async throws(DHTError) -> Int {
        var addresses: [PeerAddress] = []
        for (hp, outcome) in zip(hostPorts, await AddressResolver.resolveAll(hostPorts, using: resolver)) {
            switch outcome {
            case .success(let found): addresses.append(contentsOf: found)
            case .failure(let error): logger.warning("bootstrap seed skipped", metadata: ["seed": "\(hp)", "err": "\(error)"])
            }
        }
        guard !addresses.isEmpty || hostPorts.isEmpty else { throw .allSeedsUnreachable }
        return try await bootstrap(addresses: addresses, timeout: timeout)
    }

    /// Joins through seeds with known identities (docs/node-behaviour.md §3.6): pins them without a
    /// ping, then looks up our own ID.
    public func bootstrap(seeds: [BootstrapSeed]) async throws {
        try await start()
        for s in seeds { addContact(s.address, info: s.info) }
        _ = await lookup(nodeID)
    }
}
