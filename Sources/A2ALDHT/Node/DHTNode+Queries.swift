import A2ALCore
import A2ALProtocol

/// A resolved endpoint record: verified once, its payload as verification decoded it.
public struct ResolvedEndpoint: Sendable {
    public let verified: VerifiedRecord
    public let payload: EndpointPayload
    public var record: SignedRecord { verified.record }
}

extension DHTNode {
    /// The K nodes closest to `target` that answered, closest first (iterative FIND_NODE), over
    /// `disjointPaths` disjoint paths (nil: the node's `Config.lookupDisjointPaths`;
    /// docs/routing.md §3.13).
    public func lookup(_ target: NodeID, timeout: Duration = LookupConstants.defaultDeadline,
                       disjointPaths: Int? = nil) async -> [NodeInfo] {
        await runLookup(target, mode: .nodes, timeout: timeout, paths: disjointPaths).nodes
    }

    /// Records at `key`: the local copy if we hold valid ones, else the first network answer
    /// that carries any (docs/routing.md §3.10 FindRecords), over `disjointPaths` disjoint paths
    /// (nil: the node's `Config.firstHitDisjointPaths`, 3 unless set; docs/routing.md §3.13).
    public func findRecords(_ key: NodeID, recType: UInt8 = 0, timeout: Duration = LookupConstants.defaultDeadline,
                            disjointPaths: Int? = nil) async throws(DHTError) -> [VerifiedRecord] {
        let local = validLocalRecords(key, recType: recType)
        if !local.isEmpty { return local }
        let start = clock.now()
        let outcome = await runLookup(key, mode: .records(recType: recType, hitThreshold: 1), timeout: timeout,
                                      paths: disjointPaths)
        if !outcome.records.isEmpty { return outcome.records }
        // Nothing at the closest nodes: if they are a ring of ground identities, search outside
        // it with the time left (docs/routing.md §3.14).
        let left = timeout - (clock.now() - start)
        if left > .zero, let ring = eclipseRing(around: key, closest: outcome.nodes.map(\.nodeID)) {
            let found = await recordsOutside(ring, recType: recType, hitThreshold: 1, timeout: left)
            if !found.isEmpty { return found }
        }
        throw .noMatchingRecords
    }

    /// Every distinct record at `key` from the nodes closest to it, merged with our own copies
    /// (newest per publisher slot).
    public func aggregateRecords(_ key: NodeID, recType: UInt8 = 0, timeout: Duration = LookupConstants.defaultDeadline,
                                 disjointPaths: Int? = nil) async throws(DHTError) -> [VerifiedRecord] {
        let local = validLocalRecords(key, recType: recType)
        let start = clock.now()
        let outcome = await runLookup(key, mode: .records(recType: recType, hitThreshold: 0), timeout: timeout,
                                      paths: disjointPaths, local: local)
        var found = outcome.records
        // Closest nodes that are a ring of ground identities answer with nothing: gather outside
        // the ring too, newest per publisher slot (docs/routing.md §3.14).
        let left = timeout - (clock.now() - start)
        if left > .zero, let ring = eclipseRing(around: key, closest: outcome.nodes.map(\.nodeID)) {
            let outside = await recordsOutside(ring, recType: recType, hitThreshold: 0, timeout: left)
            found = RecordDedupeKey.newest(found + outside)
        }
        found = found.filter { recType == 0 || $0.recType == recType }
        guard !found.isEmpty else { throw .noMatchingRecords }
        return found.sorted { $0.timestamp != $1.timestamp ? $0.timestamp < $1.timestamp : $0.seq < $1.seq }
    }

    /// The endpoint record of `address`: the newest one found, as it was verified on arrival.
    public func resolve(_ address: Address, timeout: Duration = LookupConstants.defaultDeadline,
                        disjointPaths: Int? = nil) async throws(DHTError) -> ResolvedEndpoint {
        let records: [VerifiedRecord]
        do {
            records = try await findRecords(address.nodeID, recType: RecordType.endpoint, timeout: timeout,
                                            disjointPaths: disjointPaths)
        } catch .noMatchingRecords {
            throw .noEndpoint
        }
        let now = clock.unixSeconds()
        let newest = records.filter { $0.address == address && $0.isValid(now: now) }
            .sorted { $0.isNewer(than: $1) }
        for r in newest {
            if case .endpoint(let payload) = r.decoded { return ResolvedEndpoint(verified: r, payload: payload) }
        }
        throw .noEndpoint
    }

    /// Our own records at `key` that a fresh verification would still accept now.
    func validLocalRecords(_ key: NodeID, recType: UInt8) -> [VerifiedRecord] {
        let now = clock.unixSeconds()
        return localGet(key, recType: recType).filter { $0.isValid(now: now) }
    }

    /// The configured disjoint paths of a lookup whose caller names none (docs/routing.md §3.13).
    func defaultPaths(for mode: IterativeLookup.Mode) -> Int {
        if case .records(_, let threshold) = mode, threshold > 0 { return firstHitDisjointPaths }
        return lookupDisjointPaths
    }

    func runLookup(_ target: NodeID, mode: IterativeLookup.Mode, timeout: Duration, paths: Int? = nil,
                   local: [VerifiedRecord] = [], excluding rings: [EclipseRing] = []) async -> IterativeLookup.Outcome {
        let seeds = nearest(to: target, count: NodeConstants.k)
        let start = clock.now()
        var lookup = IterativeLookup(network: self, target: target, mode: mode, deadline: start + timeout,
                                     paths: paths ?? defaultPaths(for: mode), excluding: rings)
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
