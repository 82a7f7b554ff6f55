import HeapModule
import A2ALCore
import A2ALProtocol

/// A binary min-heap of (expiry, key), so a sweep visits only keys with something to expire
/// and a sweeper knows how long it may sleep.
///
/// Deletion is lazy: replacing, evicting or invalidating a record leaves its entry behind, and a
/// sweep that meets such an entry finds nothing to remove. The owner rebuilds the queue from the
/// live records when stale entries pile up (`needsCompaction`).
struct ExpiryQueue: Sendable {
    struct Entry: Sendable, Comparable {
        static func < (a: Entry, b: Entry) -> Bool { a.expiresAt < b.expiresAt }
        var expiresAt: UInt64
        var key: NodeID
    }

    private var heap = Heap<Entry>()

    var count: Int { heap.count }

    /// The entry that expires first.
    var earliest: Entry? { heap.min }

    /// True when stale entries outnumber live records enough to be worth a rebuild.
    func needsCompaction(liveRecords: Int) -> Bool {
        heap.count > StoreLimits.expiryQueueCompactionFloor
            && heap.count > liveRecords * StoreLimits.expiryQueueSlackFactor
    }

    mutating func push(_ expiresAt: UInt64, key: NodeID) {
        heap.insert(Entry(expiresAt: expiresAt, key: key))
    }

    @discardableResult
    mutating func popEarliest() -> Entry? { heap.popMin() }

    /// Replaces the contents with `entries` in O(n) (bottom-up heapify).
    mutating func rebuild(_ entries: [Entry]) { heap = Heap(entries) }
}
