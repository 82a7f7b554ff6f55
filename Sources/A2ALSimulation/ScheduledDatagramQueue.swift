import A2ALDHT
import HeapModule

/// One datagram in flight on a `MemoryNetwork`.
struct ScheduledDatagram: Sendable, Comparable {
    /// When the network hands it to the receiver.
    let deliverAt: Tick
    /// Send order; breaks ties so datagrams due at the same instant arrive first-in, first-out.
    let sequence: UInt64
    let datagram: [UInt8]
    let from: String
    let to: String
    /// The sender as receivers see it, worked out once per transport rather than per datagram.
    var senderAddress: PeerAddress = .memory("")

    /// Heap order: earlier deadline first, then earlier send.
    static func < (a: ScheduledDatagram, b: ScheduledDatagram) -> Bool {
        a.deliverAt != b.deliverAt ? a.deliverAt < b.deliverAt : a.sequence < b.sequence
    }

    /// Sequences are unique per network, so (deliverAt, sequence) identifies a datagram.
    static func == (a: ScheduledDatagram, b: ScheduledDatagram) -> Bool {
        a.deliverAt == b.deliverAt && a.sequence == b.sequence
    }
}

/// Datagrams ordered by (deliverAt, sequence) in swift-collections' min-heap. One queue serves a
/// whole network, so pushing and popping cost O(log n) however many nodes share it.
struct ScheduledDatagramQueue: Sendable {
    private var heap = Heap<ScheduledDatagram>()

    var count: Int { heap.count }
    var isEmpty: Bool { heap.isEmpty }

    /// The deadline of the next datagram due, if any.
    var earliestDeadline: Tick? { heap.min?.deliverAt }

    mutating func push(_ item: ScheduledDatagram) { heap.insert(item) }

    /// Moves every datagram due at or before `now` into `due`, in delivery order.
    mutating func popDue(now: Tick, into due: inout [ScheduledDatagram]) {
        while let first = heap.min, first.deliverAt <= now {
            due.append(first)
            heap.removeMin()
        }
    }

    /// Empties the queue; returns how many datagrams were discarded.
    mutating func removeAll() -> Int {
        let n = heap.count
        heap = Heap()
        return n
    }
}
