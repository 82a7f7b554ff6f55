import A2ALCore
import A2ALProtocol

extension DHTNode {
    /// Renews every replica set of ours now: a lookup for its key and a STORE at the closest
    /// nodes found, members or not (the same step as the half-life renewal).
    ///
    /// For a healed partition: a record published while the network was split lives only on
    /// its side, in a full set of live replicas, so neither probes nor refills would touch it
    /// until its half-life — while the nodes closest to its key, which lookups from the other
    /// side converge on, never got it (docs/protocol.md, "Partitions"). The host calls this
    /// when peers it had given up on answer again.
    public func reanchorReplicaSets() async {
        guard !isClosed else { return }
        let keys = replication.withLock { Array($0.keys) }
        await withTaskGroup(of: Void.self) { group in
            for rk in keys { group.addTask { await self.renew(rk) } }
        }
    }
}
