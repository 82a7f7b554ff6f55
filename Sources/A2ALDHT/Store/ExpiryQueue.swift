import A2ALCore
import A2ALProtocol

/// A binary min-heap of (expiry, key), so a sweep visits only keys with something to expire
/// and a sweeper knows how long it may sleep.
///
/// Deletion is lazy: replacing, evicting or invalidating a record leaves its entry behind, and a
/// sweep that meets such an entry finds nothing to remove. The owner rebuilds the queue from the
/// live records when stale entries pile up (`needsCompaction`).
struct ExpiryQueue: Sendable {
    struct Entry: Sendable {
        var expiresAt: UInt64
        var key: NodeID
    }

    private var heap: [Entry] = []

    var count: Int { heap.count }

    /// The smallest expiry queued, possibly of a record that is already gone.
    var earliest: Entry? { heap.first }

    /// True when the queue holds more than the slack allows for `liveRecords` records.
    func needsCompaction(liveRecords: Int) -> Bool {
        heap.count > StoreLimits.expiryQueueCompactionFloor
            && heap.count > liveRecords * StoreLimits.expiryQueueSlackFactor
    }

    mutating func push(_ expiresAt: UInt64, key: NodeID) {
        heap.append(Entry(expiresAt: expiresAt, key: key))
        siftUp(heap.count - 1)
    }

    @discardableResult
    mutating func popEarliest() -> Entry? {
        guard !heap.isEmpty else { return nil }
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
        return top
    }

    /// Replaces the contents with `entries` in O(n) (bottom-up heapify).
    mutating func rebuild(_ entries: [Entry]) {
        heap = entries
        var index = heap.count / 2 - 1
        while index >= 0 {
            siftDown(index)
            index -= 1
        }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].expiresAt < heap[parent].expiresAt else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        let count = heap.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { return }
            let right = left + 1
            var smallest = left
            if right < count, heap[right].expiresAt < heap[left].expiresAt { smallest = right }
            guard heap[smallest].expiresAt < heap[parent].expiresAt else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
