import A2ALCore

/// FIND_NODE (0x03): `{1: target}`.
public struct FindNode: Hashable, Sendable {
    public var target: NodeID
    public init(target: NodeID) { self.target = target }

    func encode(to w: inout CBORWriter) {
        w.mapHeader(1)
        w.uint(1); w.bytes(target)
    }

    init(fields f: CBORFields) throws(CBORError) {
        target = try requireNodeID(f, 1)
    }
}

/// FIND_NODE_RESP (0x04): `{1: nodes or null, 2: observed_addr}`.
public struct FindNodeResp: Hashable, Sendable {
    /// nil is sent as `null` (what the reference sends with no contacts); `[]` as `0x80`.
    public var nodes: [NodeInfo]?
    public var observedAddr: [UInt8]

    public init(nodes: [NodeInfo]?, observed: WireEndpoint) {
        self.nodes = nodes
        self.observedAddr = observed.wire
    }

    public var observed: WireEndpoint? { WireEndpoint(wire: observedAddr) }

    func encode(to w: inout CBORWriter) {
        w.mapHeader(2)
        w.uint(1); NodeInfo.encodeList(nodes, to: &w)
        w.uint(2); w.bytes(observedAddr)
    }

    init(fields f: CBORFields) throws(CBORError) {
        nodes = try NodeInfo.decodeList(f, key: 1)
        observedAddr = try requireWireAddr(f, 2)
    }
}
