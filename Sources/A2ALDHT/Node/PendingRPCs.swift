import A2ALCore
import A2ALProtocol

/// A reply delivered to a waiting request.
struct Reply: Sendable {
    let packet: Packet
    let from: PeerAddress
    let senderID: NodeID
}

/// Outstanding requests, keyed by transaction id. A reply is accepted only if its type is the
/// expected response type AND it comes from the expected peer (docs/deviations.md §3): the
/// NodeID we addressed when we know it, else the transport address we sent to.
struct PendingRPCs {
    struct Waiter {
        let expectedType: MessageType
        let expectedID: NodeID?
        let expectedAddress: PeerAddress
        let continuation: CheckedContinuation<Reply, any Error>
    }

    private var waiters: [TxKey: Waiter] = [:]

    var count: Int { waiters.count }

    mutating func register(_ tx: TxKey, _ waiter: Waiter) { waiters[tx] = waiter }

    /// Removes and returns the waiter for `tx`, if any (timeouts, cancellation, send failures).
    mutating func remove(_ tx: TxKey) -> Waiter? { waiters.removeValue(forKey: tx) }

    /// Takes the waiter that `reply` answers; nil when none matches (the reply is then dropped
    /// and counted as unsolicited).
    mutating func match(_ reply: Reply) -> Waiter? {
        let tx = TxKey(reply.packet.header.txID)
        guard let w = waiters[tx], w.expectedType == reply.packet.type else { return nil }
        if let id = w.expectedID {
            guard id == reply.senderID else { return nil }
        } else {
            guard w.expectedAddress == reply.from else { return nil }
        }
        waiters[tx] = nil
        return w
    }

    /// Every waiter, removed (shutdown).
    mutating func removeAll() -> [Waiter] {
        let all = Array(waiters.values)
        waiters = [:]
        return all
    }
}

/// A 20-byte transaction id as a hashable value without an array allocation.
struct TxKey: Hashable, Sendable {
    let a: UInt64, b: UInt64, c: UInt32

    init(_ bytes: [UInt8]) {
        var x: UInt64 = 0, y: UInt64 = 0, z: UInt32 = 0
        for (i, v) in bytes.prefix(20).enumerated() {
            switch i {
            case 0..<8: x = x << 8 | UInt64(v)
            case 8..<16: y = y << 8 | UInt64(v)
            default: z = z << 8 | UInt32(v)
            }
        }
        a = x; b = y; c = z
    }
}
