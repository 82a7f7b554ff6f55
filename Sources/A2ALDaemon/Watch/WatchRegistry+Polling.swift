import A2ALCore
import A2ALDHT
import A2ALProtocol

/// Polling and delivery (docs/jsonrpc.md, "Watches"). Pushes are the fast path, but a node
/// only asks peers that proved v0.2.4+ for them, so between most daemons nothing is pushed:
/// the poll loop must find every record on its own, and pushes only make it sooner.
extension WatchRegistry {
    /// A peer pushed a record for a watched key (`NodeEvents.recordPushed`; the node verified
    /// it and checked it is valid at the key).
    func pushed(_ record: VerifiedRecord, from: NodeID) {
        deliver([record], key: record.key, source: .push(from: from))
    }

    /// Announces the records at `key` that some watch of the key wants, that are still valid and
    /// that were not announced before; returns how many. The node verified them on arrival.
    @discardableResult
    func deliver(_ records: [VerifiedRecord], key: NodeID, source: WatchSource) -> Int {
        let digests = records.map { SeenRecords.digest($0.record) }
        let (targets, unseen) = state.withLock { s -> ([WatchTarget], [Int]) in
            guard let k = s.keys[key] else { return ([], []) }
            let targets = s.targets(of: key)
            let unseen = records.indices.filter { i in
                !k.seen.contains(digests[i]) && targets.contains { $0.wants(records[i].recType) }
            }
            return (targets, unseen)
        }
        guard !unseen.isEmpty else { return 0 }
        let now = SystemClock().unixSeconds()
        let valid = unseen.filter { records[$0].isValid(now: now) }
        guard !valid.isEmpty else { return 0 }
        // A poll and a push may bring the same record at once: only the one that remembers it
        // first announces it.
        let (fresh, replaced) = state.withLock { s -> ([Int], Task<Void, Never>?) in
            guard var k = s.keys[key] else { return ([], nil) }
            let fresh = valid.filter { k.seen.insert(digests[$0], expiresAt: records[$0].expiresAt, now: now) }
            if !fresh.isEmpty { k.backoff.activity() }
            s.keys[key] = k
            return (fresh, fresh.isEmpty ? nil : wakeSooner(key, in: &s))
        }
        replaced?.cancel()
        for i in fresh { announcer.announce(records[i], key: key, targets: targets, source: source) }
        return fresh.count
    }

    /// Polls `key` until its watches end or the loop is replaced (`generation` no longer the
    /// key's): a poll, then a sleep as long as the key's back-off says.
    func pollLoop(_ key: NodeID, generation: UInt64, firstDelay: Duration?) async {
        if let firstDelay {
            do { try await Task.sleep(for: firstDelay) } catch { return }
        }
        while let type = beginPoll(key, generation: generation) {
            let records = await poll(key, recType: type)
            if Task.isCancelled { return }
            let announced = deliver(records, key: key, source: .poll)
            guard let delay = endPoll(key, generation: generation, foundNew: announced > 0) else { return }
            do { try await Task.sleep(for: delay) } catch { return }
        }
    }

    /// The type to poll for, or nil when this loop should stop.
    private func beginPoll(_ key: NodeID, generation: UInt64) -> UInt8? {
        state.withLock { s in
            guard s.keys[key]?.generation == generation else { return nil }
            s.keys[key]?.wakeAt = nil
            return s.pollType(of: key)
        }
    }

    /// Backs off after a quiet poll; returns how long to sleep, or nil when this loop should stop.
    private func endPoll(_ key: NodeID, generation: UInt64, foundNew: Bool) -> Duration? {
        state.withLock { s in
            guard var k = s.keys[key], k.generation == generation else { return nil }
            if !foundNew { k.backoff.quiet() }
            let delay = k.backoff.current
            k.wakeAt = .now + delay
            s.keys[key] = k
            return delay
        }
    }

    /// One lookup of the records at `key`. Nothing there, or a lookup that fails, is a quiet
    /// poll: the next one tries again.
    private func poll(_ key: NodeID, recType: UInt8) async -> [VerifiedRecord] {
        do {
            return try await node.aggregateRecords(key, recType: recType, timeout: WatchLimits.pollLookupTimeout)
        } catch {
            return []
        }
    }
}
