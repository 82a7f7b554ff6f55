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

/// STORE_RESP (0x08): `{1: stored}`.
public struct StoreResp: Hashable, Sendable {
    public var stored: Bool
    public init(stored: Bool) { self.stored = stored }

    func encode(to w: inout CBORWriter) {
        w.mapHeader(1)
        w.uint(1); w.bool(stored)
    }

    init(fields f: CBORFields) throws(CBORError) {
        stored = try f.bool(1)
    }
}
