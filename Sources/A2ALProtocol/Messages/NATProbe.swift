import A2ALCore

/// NAT_PROBE_REQ (0x09): `{1: token (8 bytes), 2: claimed_addr (6 or 18 bytes)}`. The responder
/// echoes the token to the claimed address; nothing goes back to the requester.
public struct NATProbeRequest: Hashable, Sendable {
    public var token: [UInt8]
    public var claimedAddr: [UInt8]

    public init(token: [UInt8], claimed: WireEndpoint) {
        self.token = token
        self.claimedAddr = claimed.wire
    }

    public var claimed: WireEndpoint? { WireEndpoint(wire: claimedAddr) }

    func encode(to w: inout CBORWriter) {
        w.mapHeader(2)
        w.uint(1); w.bytes(token)
        w.uint(2); w.bytes(claimedAddr)
    }

    init(fields f: CBORFields) throws(CBORError) {
        token = try requireToken(f)
        claimedAddr = try requireWireAddr(f, 2)
    }
}

/// NAT_PROBE_ECHO (0x0A): `{1: token}`, correlated by token rather than tx_id.
public struct NATProbeEcho: Hashable, Sendable {
    public var token: [UInt8]
    public init(token: [UInt8]) { self.token = token }

    func encode(to w: inout CBORWriter) {
        w.mapHeader(1)
        w.uint(1); w.bytes(token)
    }

    init(fields f: CBORFields) throws(CBORError) {
        token = try requireToken(f)
    }
}

private func requireToken(_ f: CBORFields) throws(CBORError) -> [UInt8] {
    let t = try f.bytes(1) ?? []
    guard t.count == ProtocolConstants.natProbeTokenLength else {
        throw .badLength(field: "\(f.context).1", expected: "8", got: t.count)
    }
    return t
}
