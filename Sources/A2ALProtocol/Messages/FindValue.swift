import A2ALCore

/// FIND_VALUE (0x05): `{1: target, 2: rec_type (omitempty; 0 = all types),
/// 3: one_shot_subscribe (omitempty, v0.2.4+)}` (docs/protocol.md, "FIND_VALUE").
public struct FindValue: Hashable, Sendable {
    public var target: NodeID
    public var recType: UInt8
    /// Asks the responder to push the next record newly stored at `target` (a v0.2.4+ field: a
    /// v0.1.7 receiver drops any message that carries it).
    public var oneShotSubscribe: Bool

    public init(target: NodeID, recType: UInt8 = 0, oneShotSubscribe: Bool = false) {
        self.target = target
        self.recType = recType
        self.oneShotSubscribe = oneShotSubscribe
    }

    func encode(to w: inout CBORWriter) {
        w.mapHeader(1 + (recType == 0 ? 0 : 1) + (oneShotSubscribe ? 1 : 0))
        w.uint(1); w.bytes(target)
        if recType != 0 { w.uint(2); w.uint(recType) }
        if oneShotSubscribe { w.uint(3); w.bool(true) }
    }

    init(fields f: CBORFields) throws(CBORError) {
        target = try requireNodeID(f, 1)
        recType = UInt8(try f.uint(2, max: UInt64(UInt8.max)))
        oneShotSubscribe = try f.bool(3)
    }
}

/// FIND_VALUE_RESP (0x06): `{1: nodes or null, 2: record (omitempty), 3: observed_addr,
/// 4: records (omitempty)}`. Key 2 is the legacy "best endpoint record".
public struct FindValueResp: Hashable, Sendable {
    public var nodes: [NodeInfo]?
    public var record: SignedRecord?
    public var observedAddr: [UInt8]
    public var records: [SignedRecord]

    public init(nodes: [NodeInfo]?, record: SignedRecord?, observed: WireEndpoint, records: [SignedRecord]) {
        self.nodes = nodes
        self.record = record
        self.observedAddr = observed.wire
        self.records = records
    }

    public var observed: WireEndpoint? { WireEndpoint(wire: observedAddr) }

    /// What a requester uses: `records`, or the legacy `record` when `records` is empty.
    public var effectiveRecords: [SignedRecord] {
        if !records.isEmpty { return records }
        return record.map { [$0] } ?? []
    }

    func encode(to w: inout CBORWriter) {
        w.mapHeader(2 + (record == nil ? 0 : 1) + (records.isEmpty ? 0 : 1))
        w.uint(1); NodeInfo.encodeList(nodes, to: &w)
        if let record { w.uint(2); record.encode(to: &w) }
        w.uint(3); w.bytes(observedAddr)
        if !records.isEmpty {
            w.uint(4)
            w.arrayHeader(records.count)
            for r in records { r.encode(to: &w) }
        }
    }

    init(fields f: CBORFields) throws(CBORError) {
        nodes = try NodeInfo.decodeList(f, key: 1)
        if let r = f.value(2), r != .null, r != .undefined {
            record = try SignedRecord(cbor: r, context: "\(f.context).2")
        } else {
            record = nil
        }
        observedAddr = try requireWireAddr(f, 3)
        let context = "\(f.context).4[]"
        var list: [SignedRecord] = []
        for item in try f.array(4) ?? [] { list.append(try SignedRecord(cbor: item, context: context)) }
        records = list
    }
}
