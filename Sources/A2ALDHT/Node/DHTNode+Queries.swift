import A2ALCore
import A2ALProtocol

/// A resolved endpoint record, verified and decoded.
public struct ResolvedEndpoint: Sendable {
    public let record: SignedRecord
    public let payload: EndpointPayload
}

extension DHTNode {
    /// The K nodes closest to `target` that answered, closest first (iterative FIND_NODE).
    public func lookup(_ target: NodeID, timeout: Duration = LookupConstants.defaultDeadline) async -> [NodeInfo] {
        await runLookup(target, mode: .nodes, timeout: timeout).nodes
    }

    /// Records at `key`: the local copy if we hold valid ones, else the first network answer
    /// that carries any (query-store-routing.md §3.10 FindRecords).
    public func findRecords(_ key: NodeID, recType: UInt8 = 0,
                            timeout: Duration = LookupConstants.defaultDeadline) async throws(DHTError) -> [SignedRecord] {
        let now = clock.unixSeconds()
        let local = localGet(key, recType: recType).filter { acceptsFromLookup($0, key: key, now: now) }
        if !local.isEmpty { return local }
        let found = await runLookup(key, mode: .records(recType: recType, hitThreshold: 1), timeout: timeout).records
        guard !found.isEmpty else { throw .noMatchingRecords }
        return found
    }

    /// Every distinct record at `key` from the nodes closest to it, merged with our own copies
    /// (newest per publisher slot).
    public func aggregateRecords(_ key: NodeID, recType: UInt8 = 0,
                                 timeout: Duration = LookupConstants.defaultDeadline) async throws(DHTError) -> [SignedRecord] {
        let now = clock.unixSeconds()
        let local = localGet(key, recType: recType).filter { acceptsFromLookup($0, key: key, now: now) }
        var found = await runLookup(key, mode: .records(recType: recType, hitThreshold: 0), timeout: timeout,
                                    local: local).records
        found = found.filter { recType == 0 || $0.recType == recType }
        guard !found.isEmpty else { throw .noMatchingRecords }
        return found.sorted { $0.timestamp != $1.timestamp ? $0.timestamp < $1.timestamp : $0.seq < $1.seq }
    }

    /// The endpoint record of `address`, verified and decoded.
    public func resolve(_ address: Address, timeout: Duration = LookupConstants.defaultDeadline) async throws(DHTError) -> ResolvedEndpoint {
        let records: [SignedRecord]
        do {
            records = try await findRecords(address.nodeID, recType: RecordType.endpoint, timeout: timeout)
        } catch .noMatchingRecords {
            throw .noEndpoint
        }
        let now = clock.unixSeconds()
        let candidates = records.filter { $0.recType == RecordType.endpoint && $0.address == address }
            .sorted { $0.isNewer(than: $1) }
        for r in candidates {
            guard (try? r.verify(now: now)) != nil, let p = try? EndpointPayload(encoded: r.payload ?? []) else { continue }
            return ResolvedEndpoint(record: r, payload: p)
        }
        throw .noEndpoint
    }

    /// Whether a record a lookup returned for `key` is valid now and passes the authority policy.
    func acceptsFromLookup(_ record: SignedRecord, key: NodeID, now: UInt64) -> Bool {
        guard (try? record.verify(now: now)) != nil else { return false }
        guard let authority = state.withLock({ $0.store.authority }) else { return true }
        return authority(key, record, now) == nil
    }

    /// A lookup RPC's deadline: a few of the peer's last round trips when known, else 2 s.
    func lookupTimeout(for id: NodeID) -> Duration {
        guard let rtt = state.withLock({ $0.health.rtt(of: id) }) else { return LookupConstants.peerTimeout }
        let adaptive = rtt * Int(LookupConstants.rttTimeoutFactor)
        return min(LookupConstants.peerTimeout, max(LookupConstants.minAdaptiveTimeout, adaptive))
    }

    func runLookup(_ target: NodeID, mode: IterativeLookup.Mode, timeout: Duration,
                   local: [SignedRecord] = []) async -> IterativeLookup.Outcome {
        let seeds = nearest(to: target, count: NodeConstants.k)
        let start = clock.now()
        var lookup = IterativeLookup(node: self, target: target, mode: mode, deadline: start + timeout)
        let outcome = await lookup.run(seeds: seeds, localRecords: local)
        if let latencyObserver {
            let kind: LookupKind
            switch mode {
            case .nodes: kind = .nodes
            case .records: kind = .records
            }
            latencyObserver.lookupFinished(kind, after: clock.now() - start)
        }
        if case .nodes = mode, outcome.nodes.count >= NodeConstants.k / 2 {
            let now = clock.now()
            state.withLock { $0.recentLookups.remember(target, outcome.nodes, at: now) }
        }
        return outcome
    }

    /// The K closest to `target`: a converged lookup's answer from the last minute if we have
    /// one, else a new lookup.
    func closestNodes(to target: NodeID, timeout: Duration) async -> [NodeInfo] {
        let now = clock.now()
        if let nodes = state.withLock({ $0.recentLookups.fresh(target, now: now) }) { return nodes }
        return await lookup(target, timeout: timeout)
    }
}
