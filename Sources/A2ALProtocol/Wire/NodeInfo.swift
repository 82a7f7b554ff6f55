import A2ALCore

/// A routing contact as carried in FIND_*_RESP (docs/protocol.md §3.7.11).
public struct NodeInfo: Hashable, Sendable, CBOREncodable {
    public var address: Address
    /// Receivers do not check this against SHA-256(address) at decode time; see `isConsistent`.
    public var nodeID: NodeID
    public var ip: IPAddress
    /// 0 means "no dial address".
    public var port: UInt16

    public init(address: Address, nodeID: NodeID, ip: IPAddress, port: UInt16) {
        self.address = address
        self.nodeID = nodeID
        self.ip = ip
        self.port = port
    }

    /// A contact for `address`, with the node ID derived from it and the IP written as the
    /// reference does (4 bytes for IPv4 and IPv4-mapped).
    public init(address: Address, endpoint: WireEndpoint) {
        self.init(address: address, nodeID: address.nodeID, ip: endpoint.ip.normalized, port: endpoint.port)
    }

    /// True when node_id is SHA-256(address); inconsistent hearsay is dropped by the node.
    public var isConsistent: Bool { address.nodeID == nodeID }

    public var endpoint: WireEndpoint { WireEndpoint(ip: ip, port: port) }

    /// Exact length of `encoded`, without encoding: map head, 21-byte address and 32-byte id
    /// fields with their heads, the ip field, the port (1–3 bytes as a CBOR uint).
    public var encodedSize: Int {
        let portSize = port < 24 ? 1 : (port < 256 ? 2 : 3)
        return 1 + (1 + 1 + 21) + (1 + 2 + 32) + (1 + 1 + (ip.isIPv4 ? 4 : 16)) + (1 + portSize)
    }

    public func encode(to w: inout CBORWriter) {
        w.mapHeader(4)
        w.uint(1); w.bytes(address)
        w.uint(2); w.bytes(nodeID)
        w.uint(3); w.bytes(ip)
        w.uint(4); w.uint(port)
    }

    public init(cbor: CBOR, context: String = "NodeInfo") throws(CBORError) {
        let f = try CBORFields(cbor, context: context)
        guard let a = try f.bytes(1, count: 21), let address = Address(bytes: a) else {
            throw .badLength(field: "\(context).1", expected: "21", got: try f.bytes(1)?.count ?? 0)
        }
        guard let n = try f.bytes(2, count: 32), let nodeID = NodeID(bytes: n) else {
            throw .badLength(field: "\(context).2", expected: "32", got: try f.bytes(2)?.count ?? 0)
        }
        let ipBytes = try f.bytes(3) ?? []
        guard let ip = IPAddress(bytes: ipBytes) else {
            throw .badLength(field: "\(context).3", expected: "4 or 16", got: ipBytes.count)
        }
        self.init(address: address, nodeID: nodeID, ip: ip, port: UInt16(try f.uint(4, max: UInt64(UInt16.max))))
    }
}

extension NodeInfo {
    /// Encodes a `nodes` field (not omitempty): nil is `null`, an empty list is `0x80`.
    static func encodeList(_ nodes: [NodeInfo]?, to w: inout CBORWriter) {
        guard let nodes else { w.null(); return }
        w.arrayHeader(nodes.count)
        for n in nodes { n.encode(to: &w) }
    }

    static func decodeList(_ f: CBORFields, key: Int) throws(CBORError) -> [NodeInfo]? {
        guard let items = try f.array(key) else { return nil }
        // Field paths are only formatted once per list: building one per element costs more
        // than decoding the element.
        let context = "\(f.context).\(key)[]"
        var out: [NodeInfo] = []
        out.reserveCapacity(items.count)
        for item in items { out.append(try NodeInfo(cbor: item, context: context)) }
        return out
    }
}
