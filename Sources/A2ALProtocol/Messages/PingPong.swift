import A2ALCore

/// PING (0x01): `{1: address}`; the address must be the sender's key-derived address.
public struct Ping: Hashable, Sendable {
    public var address: Address
    public init(address: Address) { self.address = address }

    func encode(to w: inout CBORWriter) {
        w.mapHeader(1)
        w.uint(1); w.bytes(address)
    }

    init(fields f: CBORFields) throws(CBORError) {
        address = try requireAddress(f, 1)
    }
}

/// PONG (0x02): `{1: address, 2: observed_addr}` where observed_addr is the PING's source.
public struct Pong: Hashable, Sendable {
    public var address: Address
    /// 6 or 18 bytes (docs/protocol.md §3.8).
    public var observedAddr: [UInt8]

    public init(address: Address, observed: WireEndpoint) {
        self.address = address
        self.observedAddr = observed.wire
    }

    public var observed: WireEndpoint? { WireEndpoint(wire: observedAddr) }

    func encode(to w: inout CBORWriter) {
        w.mapHeader(2)
        w.uint(1); w.bytes(address)
        w.uint(2); w.bytes(observedAddr)
    }

    init(fields f: CBORFields) throws(CBORError) {
        address = try requireAddress(f, 1)
        observedAddr = try requireWireAddr(f, 2)
    }
}

/// A 21-byte address field that must be present.
func requireAddress(_ f: CBORFields, _ key: Int) throws(CBORError) -> Address {
    let b = try f.bytes(key) ?? []
    guard let a = Address(bytes: b) else { throw .badLength(field: "\(f.context).\(key)", expected: "21", got: b.count) }
    return a
}

/// A 32-byte id/key field that must be present.
func requireNodeID(_ f: CBORFields, _ key: Int) throws(CBORError) -> NodeID {
    let b = try f.bytes(key) ?? []
    guard let id = NodeID(bytes: b) else { throw .badLength(field: "\(f.context).\(key)", expected: "32", got: b.count) }
    return id
}

/// A 6- or 18-byte observed/claimed address field.
func requireWireAddr(_ f: CBORFields, _ key: Int) throws(CBORError) -> [UInt8] {
    let b = try f.bytes(key) ?? []
    guard WireEndpoint.isValidWireLength(b) else {
        throw .badLength(field: "\(f.context).\(key)", expected: "6 or 18", got: b.count)
    }
    return b
}
