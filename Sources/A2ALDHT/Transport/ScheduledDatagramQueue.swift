
/// One datagram in flight on a `MemoryNetwork`.
struct ScheduledDatagram: Sendable {
    /// When the network hands it to the receiver.
    let deliverAt: Tick
    /// Send order; breaks ties so datagrams due at the same instant arrive first-in, first-out.
    let sequence: UInt64
    let datagram: [UInt8]
    let from: String
    let to: String

    /// Heap order: earlier deadline first, then earlier send.
    func precedes(_ other: ScheduledDatagram) -> Bool {
        deliverAt != other.deliverAt ? deliverAt < other.deliverAt : sequence < other.sequence
    }
}

/// A binary min-heap of datagrams ordered by (deliverAt, sequence). One heap serves a whole
/// network, so pushing and popping cost O(log n) however many nodes share it.
struct ScheduledDatagramQueue: Sendable {
    private var heap: [ScheduledDatagram] = []

    var count: Int { heap.count }
    var isEmpty: Bool { heap.isEmpty }

    /// The deadline of the next datagram due, if any.
    var earliestDeadline: Tick? { heap.first?.deliverAt }

    mutating func push(_ item: ScheduledDatagram) {
        heap.append(item)
        siftUp(from: heap.count - 1)
    }

    /// Moves every datagram due at or before `now` into `due`, in delivery order.
    mutating func popDue(now: Tick, into due: inout [ScheduledDatagram]) {
        while let first = heap.first, first.deliverAt <= now {
            due.append(first)
            removeFirst()
        }
    }

    /// Empties the queue; returns how many datagrams were discarded.
    mutating func removeAll() -> Int {
        let n = heap.count
        heap.removeAll()
        return n
    }

    private mutating func removeFirst() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        siftDown(from: 0)
    }

    private mutating func siftUp(from index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(from index: Int) {
        var parent = index
        let n = heap.count
        while true {
            let left = 2 * parent + 1
            guard left < n else { return }
            let right = left + 1
            var smallest = left
            if right < n, heap[right].precedes(heap[left]) { smallest = right }
            guard heap[smallest].precedes(heap[parent]) else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
