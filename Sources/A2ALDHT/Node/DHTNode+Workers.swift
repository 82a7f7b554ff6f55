import A2ALCore
import A2ALProtocol

extension DHTNode {
    /// Background work that lives as long as the node: the store's expiry sweeper, the 15 s
    /// maintenance pass (replicas and routing) and the seen-peers flusher.
    func startWorkers() {
        spawnTracked { [weak self] in await self?.runSweeper() }
        spawnTracked { [weak self] in await self?.runMaintenanceLoop() }
        if seenPeersPath != nil {
            spawnTracked { [weak self] in await self?.runSeenPeersFlusher() }
        }
    }

    /// Removes expired records as they expire (the reference never sweeps, docs/deviations.md §6):
    /// sleeps until the earliest expiry, at most a minute at a time.
    private func runSweeper() async {
        while !Task.isCancelled {
            let unix = clock.unixSeconds()
            let next = state.withLock { $0.store.nextExpiry }
            var wait = NodeConstants.maxSweepInterval
            if let next, next >= unix {
                wait = min(wait, .seconds(Int64(min(next - unix + 1, 3600))))
            }
            do { try await clock.sleep(for: wait) } catch { return }
            let removed = sweepExpiredRecords()
            if removed > 0 { logger.debug("swept expired records", metadata: ["count": "\(removed)"]) }
        }
    }

    private func runSeenPeersFlusher() async {
        while !Task.isCancelled {
            do { try await clock.sleep(for: NodeConstants.seenPeersFlushInterval) } catch { return }
            flushSeenPeers()
        }
    }

    /// Writes the seen-peers window (crash-safe, 0600).
    func flushSeenPeers() {
        guard let path = seenPeersPath else { return }
        let unix = clock.unixSeconds()
        let snapshot = state.withLock { $0.seen }
        do {
            try snapshot.save(to: path, nowUnix: unix)
        } catch {
            logger.warning("seen peers flush failed", metadata: ["err": "\(error)"])
        }
    }
}
