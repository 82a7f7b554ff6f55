import A2ALDHT
import Logging

extension Daemon {
    /// Applies the settings a reload may change live (ReloadPlan.liveKeys, docs/systemd.md,
    /// "Reloading"); the log level and format are LogSettings' business.
    func applyLive(_ config: DaemonConfig, changed: [ConfigKey]) {
        if changed.contains(.passive) { node.setPassiveRouting(config.passive) }
        if changed.contains(.maxStoreKeys) { node.setMaxStoreKeys(config.maxStoreKeys) }
        if changed.contains(.storeMaxBytes) || changed.contains(.storeMaxBytesPerSource) {
            // Takes effect at the next put (DHTNode.storeBudget).
            node.storeBudget = StoreBudget(maxBytes: config.storeMaxBytes, maxBytesPerSource: config.storeMaxBytesPerSource)
        }
        if changed.contains(.bootstrap) {
            seeds.withLock { $0 = config.bootstrap }
            // Join through the new peers now; later re-joins use them too.
            let node = self.node, keeper = self.peerCache, logger = self.logger, seeds = config.bootstrap
            background.spawn { await Self.join(node: node, seeds: seeds, keeper: keeper, logger: logger) }
        }
    }
}
