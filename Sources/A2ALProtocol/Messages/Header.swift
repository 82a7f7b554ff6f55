import A2ALCore

/// The message header (docs/protocol.md §3.3). No field is omitempty. Version and features are not
/// checked on receipt, but they are covered by the signature through re-encoding.
public struct Header: Hashable, Sendable, CBOREncodable {
    public var version: UInt8
    public var features: UInt16
    /// Raw type byte; validated against `MessageType` when the body is decoded.
    public var msgType: UInt8
    public var txID: [UInt8]

    public init(version: UInt8 = UInt8(ProtocolConstants.protocolVersion),
                features: UInt16 = UInt16(ProtocolConstants.features),
                msgType: MessageType, txID: [UInt8]) {
        self.version = version
        self.features = features
        self.msgType = msgType.rawValue
        self.txID = txID
    }

    public func encode(to w: inout CBORWriter) {
        w.mapHeader(4)
        w.uint(1); w.uint(version)
        w.uint(2); w.uint(features)
        w.uint(3); w.uint(msgType)
        w.uint(4); w.bytes(txID)
    }

    public var encodedSizeHint: Int { 32 }

    /// Lenient decode (any key order, missing keys zero); tx_id length is checked by the caller.
    public init(cbor: CBOR) throws(CBORError) {
        let f = try CBORFields(cbor, context: "header")
        version = UInt8(try f.uint(1, max: UInt64(UInt8.max)))
        features = UInt16(try f.uint(2, max: UInt64(UInt16.max)))
        msgType = UInt8(try f.uint(3, max: UInt64(UInt8.max)))
        txID = try f.bytes(4) ?? []
    }

    /// A fresh random transaction id (one per attempt).
    public static func randomTxID() -> [UInt8] { SecureRandom.bytes(ProtocolConstants.txIDLength) }
}
