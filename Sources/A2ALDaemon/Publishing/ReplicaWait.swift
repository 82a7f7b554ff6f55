import A2ALCore
import A2ALDHT

/// Waits for the first replication round of a record just handed to `DHTNode.publish`.
///
/// The node replicates in the background and exposes only the confirmed holders of each
/// replica set, so this polls them (as the simulator's publish phase does) until the set has
/// as many replicas as the network can give — the replication target, or every peer the node
/// knows when there are fewer — or the time is up. Either way the caller reports what was
/// confirmed: the record is stored locally already and replication continues regardless.
package enum ReplicaWait {
    /// How often the replica set is looked at.
    static let pollInterval: Duration = .milliseconds(20)

    /// Confirmed replicas of (key, publisher, type) when the wait ended.
    package static func confirmedReplicas(node: DHTNode, key: NodeID, publisher: NodeID, type: UInt8,
                                         within timeout: Duration) async -> Int {
        let deadline = ContinuousClock.now + timeout
        func count() -> Int { node.replicaHolders(key: key, publisher: publisher, recType: type).count }
        while true {
            let confirmed = count()
            let reachable = min(ReplicationConstants.target, node.routingTableSize)
            if confirmed >= reachable || ContinuousClock.now >= deadline || Task.isCancelled { return confirmed }
            let pause = min(pollInterval, deadline - ContinuousClock.now)
            do { try await Task.sleep(for: pause) } catch { return count() }
        }
    }
}
