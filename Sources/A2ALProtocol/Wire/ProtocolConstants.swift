import A2ALCore

/// Wire-level constants of the reference protocol (docs/protocol.md §5). Every number lives here.
public enum ProtocolConstants {
    /// Header key 1 in every message we send.
    public static let protocolVersion: UInt64 = 1
    /// Header key 2: no feature flags are defined.
    public static let features: UInt64 = 0
    public static let txIDLength = 20
    /// The reference refuses to send larger datagrams (IPv6-safe budget); so do we.
    public static let maxDatagramSize = 1200
    /// Responders trim bodies to this size (16 bytes of margin under 1066).
    public static let responseBodyTrimTarget = 1050
    /// Outer map + header + pubkey + signature framing around the body.
    public static let envelopeOverhead = 134
    public static let natProbeTokenLength = 8

    public static let messageSignPrefix: [UInt8] = Array("a2al-msg".utf8) + [0]
    public static let recordSignPrefix: [UInt8] = Array("a2al-rec".utf8) + [0]
    public static let delegationSignPrefix: [UInt8] = Array("a2al-del".utf8) + [0]
    public static let mailboxHKDFSalt: [UInt8] = Array("a2al-mailbox".utf8) + [0]
    public static let topicKeyPrefix: [UInt8] = Array("topic:".utf8)
}
