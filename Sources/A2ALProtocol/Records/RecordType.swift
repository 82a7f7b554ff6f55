import A2ALCore

/// Record type codes and their categories (docs/protocol.md §4.5).
public enum RecordType {
    public static let endpoint: UInt8 = 0x01
    public static let topic: UInt8 = 0x10
    public static let mailbox: UInt8 = 0x80
}

/// How the store and the authority policy treat a record type.
public enum RecordCategory: String, Sendable, Hashable {
    /// 0x01–0x0F: stored at NodeID(address), one slot per (address, type).
    case sovereign
    /// 0x10–0x1F: one slot per signing key.
    case topic
    /// 0x80–0x8F: stored at NodeID(recipient).
    case mailbox
    /// Everything else: stored like sovereign records.
    case unknown

    public init(recType: UInt8) {
        switch recType {
        case 0x01...0x0F: self = .sovereign
        case 0x10...0x1F: self = .topic
        case 0x80...0x8F: self = .mailbox
        default: self = .unknown
        }
    }

    /// True when stores require key == NodeID(record.address).
    public var keyMustBeAddressNodeID: Bool { self == .sovereign || self == .unknown }
}

/// The DHT key of a topic: SHA-256("topic:" || UTF-8(topic)), with no normalisation.
public enum TopicKey {
    public static func key(for topic: String) -> NodeID {
        // SHA-256 is always 32 bytes.
        NodeID(bytes: SHA256.hash(ProtocolConstants.topicKeyPrefix + Array(topic.utf8))) ?? .zero
    }
}
