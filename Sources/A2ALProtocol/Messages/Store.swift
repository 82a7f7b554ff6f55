import A2ALCore

/// STORE (0x07): `{1: record, 2: key (omitempty; absent ⇒ NodeID(record.address))}`.
public struct Store: Hashable, Sendable {
    public var record: SignedRecord
    /// nil when absent or empty on the wire.
    public var key: NodeID?

    public init(record: SignedRecord, key: NodeID?) {
        self.record = record
        self.key = key
    }

    /// The DHT key the record is meant for.
    public var effectiveKey: NodeID { key ?? record.address.nodeID }

    func encode(to w: inout CBORWriter) {
        w.mapHeader(key == nil ? 1 : 2)
        w.uint(1); record.encode(to: &w)
        if let key { w.uint(2); w.bytes(key) }
    }

    init(fields f: CBORFields) throws(CBORError) {
        // Not omitempty: an absent record decodes to a zero record, which fails the shape check.
        record = try SignedRecord(cbor: f.value(1) ?? .null, context: "\(f.context).1")
        let k = try f.bytes(2) ?? []
        switch k.count {
        case 0: key = nil
        case 32: key = NodeID(bytes: k)
        default: throw .badLength(field: "\(f.context).2", expected: "0 or 32", got: k.count)
        }
    }
}

/// STORE_RESP (0x08): `{1: stored, 2: already_had (omitempty, v0.1.8+), 3: reason (omitempty,
/// v0.1.8+)}` (docs/protocol.md, "STORE_RESP"). A v0.1.7 receiver drops a reply carrying key 2 or 3,
/// so those keys are only ever sent to peers that have shown they understand them.
public struct StoreResp: Hashable, Sendable {
    public var stored: Bool
    /// The responder already held an equal or newer record for the slot.
    public var alreadyHad: Bool
    /// Why a record was refused (`StoreReason`); 0 when stored or unexplained.
    public var reason: UInt8

    public init(stored: Bool, alreadyHad: Bool = false, reason: UInt8 = 0) {
        self.stored = stored
        self.alreadyHad = alreadyHad
        self.reason = reason
    }

    func encode(to w: inout CBORWriter) {
        w.mapHeader(1 + (alreadyHad ? 1 : 0) + (reason == 0 ? 0 : 1))
        w.uint(1); w.bool(stored)
        if alreadyHad { w.uint(2); w.bool(true) }
        if reason != 0 { w.uint(3); w.uint(reason) }
    }

    init(fields f: CBORFields) throws(CBORError) {
        stored = try f.bool(1)
        alreadyHad = try f.bool(2)
        reason = UInt8(try f.uint(3, max: UInt64(UInt8.max)))
    }
}

/// STORE_RESP reason codes (key 3). Values are never reused for another meaning.
public enum StoreReason {
    /// Stored, or a refusal without information (every v0.1.7 refusal).
    public static let none: UInt8 = 0
    /// The responder's own policy refuses the record: a stable refusal of the peer.
    public static let policy: UInt8 = 1
    /// The record itself is rejected (signature, payload, time, key or authority): the peer is fine.
    public static let recordInvalid: UInt8 = 2
}
