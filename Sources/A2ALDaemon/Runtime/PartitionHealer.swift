import A2ALDHT
import Synchronization

/// Notices a healed partition — peers we had marked bad answering again — and has the node
/// re-anchor its replica sets once the wave of recoveries has settled (docs/protocol.md,
/// "Partitions"). Debounced: one renewal round per `settle`, however many peers recover.
final class PartitionHealer: Sendable {
    static let settle: Duration = .seconds(10)
    /// Recoveries that make a heal (one peer flapping is not a partition).
    static let minRecoveries = 2

    private let recoveries = Mutex(0)

    /// Called from the node's inbound path: constant work.
    func peerRecovered() { recoveries.withLock { $0 += 1 } }

    /// Runs until cancelled.
    func run(node: DHTNode, onHeal: @escaping @Sendable (Int) -> Void) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: Self.settle) } catch { return }
            let count = recoveries.withLock { c in
                defer { c = 0 }
                return c
            }
            guard count >= Self.minRecoveries else { continue }
            onHeal(count)
            await node.reanchorReplicaSets()
        }
    }
}
