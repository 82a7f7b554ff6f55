import A2ALCore

/// DHT_PUSH (0x0B, v0.2.4+): `{1: key, 2: record}`, neither omitempty. A storing node sends it to a
/// one-shot subscriber when a record is newly stored at `key` (docs/protocol.md, "One-shot push
/// subscriptions"). Only the record's shape is checked at decode time; its signature, authority
/// and relation to `key` are checked by the receiver like any stored record.
public struct DHTPush: Hashable, Sendable {
    public var key: NodeID
    public var record: SignedRecord

    public init(key: NodeID, record: SignedRecord) {
        self.key = key
        self.record = record
    }

    func encode(to w: inout CBORWriter) {
        w.mapHeader(2)
        w.uint(1); w.bytes(key)
        w.uint(2); record.encode(to: &w)
    }

    init(fields f: CBORFields) throws(CBORError) {
        key = try requireNodeID(f, 1)
        record = try SignedRecord(cbor: f.value(2) ?? .null, context: "\(f.context).2")
    }
}

/// DHT_PUSH_ACK (0x0C, v0.2.4+): `{1: key, 2: msg_id, 3: one_shot_subscribe (omitempty)}`, the
/// response to a DHT_PUSH with the same tx_id. `msg_id` is SHA-256 of the pushed record's payload;
/// key 3 asks the pusher to register the subscription again.
public struct DHTPushAck: Hashable, Sendable {
    public var key: NodeID
    public var msgID: [UInt8]
    public var oneShotSubscribe: Bool

    public init(key: NodeID, msgID: [UInt8], oneShotSubscribe: Bool = false) {
        self.key = key
        self.msgID = msgID
        self.oneShotSubscribe = oneShotSubscribe
    }

    /// The ACK of `push`: key echoed, msg_id = SHA-256(record payload).
    public init(acknowledging push: DHTPush, renew: Bool) {
        self.init(key: push.key, msgID: push.record.messageID, oneShotSubscribe: renew)
    }

    func encode(to w: inout CBORWriter) {
        w.mapHeader(oneShotSubscribe ? 3 : 2)
        w.uint(1); w.bytes(key)
        w.uint(2); w.bytes(msgID)
        if oneShotSubscribe { w.uint(3); w.bool(true) }
    }

    init(fields f: CBORFields) throws(CBORError) {
        key = try requireNodeID(f, 1)
        let id = try f.bytes(2) ?? []
        guard id.count == 32 else { throw .badLength(field: "\(f.context).2", expected: "32", got: id.count) }
        msgID = id
        oneShotSubscribe = try f.bool(3)
    }
}

extension SignedRecord {
    /// SHA-256 of the payload (`null` hashes as empty): the msg_id a DHT_PUSH_ACK echoes and the
    /// identity of a mailbox message.
    public var messageID: [UInt8] { SHA256.hash(payload ?? []) }
}
