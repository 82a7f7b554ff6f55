import A2ALProtocol
import Synchronization

/// Verified packets received and datagrams sent, per message type (docs/metrics.md,
/// `a2al_dht_packets_received_total` / `a2al_dht_packets_sent_total`). One relaxed atomic add
/// per packet on the hot path, indexed by the type's wire code: no lock, no allocation.
final class MessageTypeCounters: Sendable {
    /// One counter; a class so an immutable array of them can be shared (`Atomic` is not copyable).
    final class Cell: Sendable {
        let value = Atomic<UInt64>(0)
    }

    /// Indexed by `MessageType.rawValue` (wire codes 0x01...0x0C; slot 0 unused).
    private let received: [Cell]
    private let sent: [Cell]

    init() {
        let slots = Int(MessageType.allCases.map(\.rawValue).max() ?? 0) + 1
        received = (0..<slots).map { _ in Cell() }
        sent = (0..<slots).map { _ in Cell() }
    }

    func received(_ type: MessageType) { received[Int(type.rawValue)].value.wrappingAdd(1, ordering: .relaxed) }
    func sent(_ type: MessageType) { sent[Int(type.rawValue)].value.wrappingAdd(1, ordering: .relaxed) }

    func snapshot() -> [MessageTypeCount] {
        MessageType.allCases.map { type in
            MessageTypeCount(type: type, received: received[Int(type.rawValue)].value.load(ordering: .relaxed),
                             sent: sent[Int(type.rawValue)].value.load(ordering: .relaxed))
        }
    }
}

/// Packets of one message type since start: verified ones received, and ones handed to the
/// transport. Summed over every type they equal `rxPacketsVerified` and `txPackets`.
public struct MessageTypeCount: Sendable, Equatable {
    public var type: MessageType
    public var received: UInt64
    public var sent: UInt64
}
