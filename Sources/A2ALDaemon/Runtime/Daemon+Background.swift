import A2ALDHT
import Logging

extension Daemon {
    /// Re-bootstrap back-off while the routing table is empty (seeds down, network away).
    static let rejoinDelays: [Duration] = [.seconds(30), .seconds(60), .seconds(120), .seconds(300)]

    func startBackgroundWork(publisher: Publisher) {
        let node = self.node, logger = self.logger, keeper = self.peerCache, daemon = self
        background.spawn {
            await Self.join(node: node, seeds: daemon.currentSeeds, keeper: keeper, logger: logger)
            // Republish what we published before a restart once we have peers to store at;
            // records are stored locally at once either way.
            await publisher.start()
            var attempt = 0
            while !Task.isCancelled {
                let delay = Self.rejoinDelays[min(attempt, Self.rejoinDelays.count - 1)]
                do { try await Task.sleep(for: delay) } catch { return }
                if node.debugStats().totalPeers > 0 {
                    attempt = 0
                    continue
                }
                attempt += 1
                logger.notice("routing table is empty; joining again")
                await Self.join(node: node, seeds: daemon.currentSeeds, keeper: keeper, logger: logger)
            }
        }
        background.spawn {
            var schedule = PeerCacheSchedule()
            while !Task.isCancelled {
                do { try await Task.sleep(for: PeerCacheSchedule.checkInterval) } catch { return }
                let warm = keeper.snapshot().prefix(PeerCacheKeeper.warmBootstrapPeers).map(\.nodeID)
                let now = keeper.clock.unixSeconds()
                guard schedule.shouldSave(warm: Array(warm), now: now) else { continue }
                do {
                    try keeper.save()
                    schedule.didSave(warm: Array(warm), now: now)
                    logger.debug("peer cache saved", metadata: ["peers": "\(warm.count)"])
                } catch {
                    logger.warning("peer cache not saved", metadata: ["err": "\(error)"])
                }
            }
        }
    }

    /// The bootstrap peers now (a reload may have replaced the configured ones).
    var currentSeeds: [String] { seeds.withLock { $0 } }

    /// Bootstraps through the configured seeds and the peers cached from the last run.
    static func join(node: DHTNode, seeds: [String], keeper: PeerCacheKeeper, logger: Logger) async {
        let cached = keeper.warmAddresses()
        if seeds.isEmpty && cached.isEmpty {
            logger.info("no bootstrap peers configured or cached; waiting for peers to contact us")
            return
        }
        var answered = 0
        if !seeds.isEmpty {
            do { answered += try await node.bootstrap(hostPorts: seeds) } catch {
                logger.warning("bootstrap through configured peers failed", metadata: ["err": "\(error)"])
            }
        }
        if answered == 0 && !cached.isEmpty {
            do {
                let fromCache = try await node.bootstrap(addresses: cached)
                answered += fromCache
                // The testbed's churn scenario reads this line: proof of a warm start (docs/testbed.md).
                logger.info("joined from the peer cache", metadata: ["cached": "\(cached.count)", "answered": "\(fromCache)"])
            } catch {
                logger.warning("bootstrap through cached peers failed", metadata: ["err": "\(error)"])
            }
        }
        logger.info("bootstrap done", metadata: ["seeds_answered": "\(answered)", "routing_table_size": "\(node.debugStats().totalPeers)"])
    }
}
