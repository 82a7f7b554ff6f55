import A2ALCore

// Allocation-light decoding of the canonical message layout (definite lengths, ascending integer
// keys, no unknown keys, no tags), read in place with `CBORCursor`. Every Go sender and every
// node of ours emits exactly this layout, so it is the common case on the receive path.
// Anything else makes these initialisers return nil, and `Packet.decode` falls back to the
// general decoder, which applies the reference's full leniency and gives typed errors. What
// the fast path accepts must decode to exactly what the general path produces; a property test
// (FastPathEquivalenceTests) holds the two paths together.

extension CBORCursor {
    @inline(__always)
    mutating func address() -> Address? {
        guard let r = byteString(count: 21) else { return nil }
        return Address(bytes: bytes[r])
    }

    @inline(__always)
    mutating func nodeID() -> NodeID? {
        guard let r = byteString(count: 32) else { return nil }
        return NodeID(bytes: bytes[r])
    }

    @inline(__always)
    mutating func wireAddr() -> [UInt8]? {
        guard let r = byteString(), r.count == 6 || r.count == 18 else { return nil }
        return Array(bytes[r])
    }

    @inline(__always)
    mutating func ownedBytes(count: Int) -> [UInt8]? {
        guard let r = byteString(count: count) else { return nil }
        return Array(bytes[r])
    }
}

extension Header {
    init?(fast c: inout CBORCursor) {
        guard c.mapCount() == 4,
              c.key(1), let v = c.uint(max: UInt64(UInt8.max)),
              c.key(2), let f = c.uint(max: UInt64(UInt16.max)),
              c.key(3), let t = c.uint(max: UInt64(UInt8.max)),
              c.key(4), let tx = c.ownedBytes(count: ProtocolConstants.txIDLength) else { return nil }
        version = UInt8(v)
        features = UInt16(f)
        msgType = UInt8(t)
        txID = tx
    }
}

extension NodeInfo {
    init?(fast c: inout CBORCursor) {
        guard c.mapCount() == 4, c.key(1), let a = c.address(), c.key(2), let n = c.nodeID(),
              c.key(3), let r = c.byteString(), let ip = IPAddress(bytes: c.bytes[r]),
              c.key(4), let port = c.uint(max: UInt64(UInt16.max)) else { return nil }
        self.init(address: a, nodeID: n, ip: ip, port: UInt16(port))
    }

    /// A `nodes` field: null or a definite array of contacts.
    static func fastList(_ c: inout CBORCursor) -> [NodeInfo]?? {
        if c.null() { return .some(nil) }
        guard let n = c.arrayCount() else { return nil }
        var out: [NodeInfo] = []
        out.reserveCapacity(n)
        for _ in 0..<n {
            guard let node = NodeInfo(fast: &c) else { return nil }
            out.append(node)
        }
        return .some(out)
    }
}

extension SignedRecord {
    init?(fast c: inout CBORCursor) {
        guard let count = c.mapCount(), count == 8 || count == 9,
              c.key(1), let a = c.address(),
              c.key(2), let t = c.uint(max: UInt64(UInt8.max)),
              c.key(3) else { return nil }
        let p: [UInt8]?
        if c.null() {
            p = nil
        } else {
            guard let r = c.byteString() else { return nil }
            p = Array(c.bytes[r])
        }
        guard c.key(4), let seq = c.uint(),
              c.key(5), let ts = c.uint(),
              c.key(6), let ttl = c.uint(max: UInt64(UInt32.max)),
              c.key(7), let pub = c.ownedBytes(count: 32),
              c.key(8), let sig = c.ownedBytes(count: 64) else { return nil }
        var delegation: [UInt8] = []
        if count == 9 {
            guard c.key(9), let r = c.byteString() else { return nil }
            delegation = Array(c.bytes[r])
        }
        self.init(address: a, recType: UInt8(t), payload: p, seq: seq, timestamp: ts, ttl: UInt32(ttl),
                  pubkey: pub, signature: sig, delegation: delegation)
    }
}

extension MessageBody {
    /// The body of a `type` message in canonical layout, or nil for anything else.
    init?(fast c: inout CBORCursor, type: MessageType) {
        guard let count = c.mapCount() else { return nil }
        switch type {
        case .ping:
            guard count == 1, c.key(1), let a = c.address() else { return nil }
            self = .ping(Ping(address: a))
        case .pong:
            guard count == 2, c.key(1), let a = c.address(), c.key(2), let o = c.wireAddr() else { return nil }
            var pong = Pong(address: a, observed: .unknown)
            pong.observedAddr = o
            self = .pong(pong)
        case .findNode:
            guard count == 1, c.key(1), let t = c.nodeID() else { return nil }
            self = .findNode(FindNode(target: t))
        case .findNodeResp:
            guard count == 2, c.key(1), let nodes = NodeInfo.fastList(&c), c.key(2), let o = c.wireAddr() else { return nil }
            var resp = FindNodeResp(nodes: nodes, observed: .unknown)
            resp.observedAddr = o
            self = .findNodeResp(resp)
        case .findValue:
            guard (1...3).contains(count), c.key(1), let t = c.nodeID() else { return nil }
            var remaining = count - 1
            var recType: UInt64 = 0
            if remaining > 0, c.key(2) {
                guard let r = c.uint(max: UInt64(UInt8.max)), r != 0 else { return nil }
                recType = r
                remaining -= 1
            }
            var subscribe = false
            if remaining > 0 {
                // Canonical encoders omit `false`; an explicit one is left to the general path.
                guard c.key(3), c.bool() == true else { return nil }
                subscribe = true
                remaining -= 1
            }
            guard remaining == 0 else { return nil }
            self = .findValue(FindValue(target: t, recType: UInt8(recType), oneShotSubscribe: subscribe))
        case .findValueResp:
            guard (2...4).contains(count), c.key(1), let nodes = NodeInfo.fastList(&c) else { return nil }
            var remaining = count - 1
            var record: SignedRecord?
            if c.key(2) {
                guard let r = SignedRecord(fast: &c) else { return nil }
                record = r
                remaining -= 1
            }
            guard c.key(3), let o = c.wireAddr() else { return nil }
            remaining -= 1
            var records: [SignedRecord] = []
            if remaining == 1 {
                guard c.key(4), let n = c.arrayCount() else { return nil }
                records.reserveCapacity(n)
                for _ in 0..<n {
                    guard let r = SignedRecord(fast: &c) else { return nil }
                    records.append(r)
                }
            } else if remaining != 0 {
                return nil
            }
            var resp = FindValueResp(nodes: nodes, record: record, observed: .unknown, records: records)
            resp.observedAddr = o
            self = .findValueResp(resp)
        case .store:
            guard count == 1 || count == 2, c.key(1), let r = SignedRecord(fast: &c) else { return nil }
            var key: NodeID?
            if count == 2 {
                guard c.key(2), let k = c.byteString() else { return nil }
                switch k.count {
                case 0: key = nil
                case 32: key = NodeID(bytes: c.bytes[k])
                default: return nil
                }
            }
            self = .store(Store(record: r, key: key))
        case .storeResp:
            guard (1...3).contains(count), c.key(1), let b = c.bool() else { return nil }
            var remaining = count - 1
            var alreadyHad = false
            if remaining > 0, c.key(2) {
                guard c.bool() == true else { return nil }
                alreadyHad = true
                remaining -= 1
            }
            var reason: UInt64 = 0
            if remaining > 0 {
                guard c.key(3), let r = c.uint(max: UInt64(UInt8.max)), r != 0 else { return nil }
                reason = r
                remaining -= 1
            }
            guard remaining == 0 else { return nil }
            self = .storeResp(StoreResp(stored: b, alreadyHad: alreadyHad, reason: UInt8(reason)))
        case .natProbeReq:
            guard count == 2, c.key(1), let t = c.ownedBytes(count: ProtocolConstants.natProbeTokenLength),
                  c.key(2), let o = c.wireAddr() else { return nil }
            var req = NATProbeRequest(token: t, claimed: .unknown)
            req.claimedAddr = o
            self = .natProbeRequest(req)
        case .natProbeEcho:
            guard count == 1, c.key(1), let t = c.ownedBytes(count: ProtocolConstants.natProbeTokenLength) else { return nil }
            self = .natProbeEcho(NATProbeEcho(token: t))
        case .dhtPush:
            guard count == 2, c.key(1), let k = c.nodeID(), c.key(2), let r = SignedRecord(fast: &c) else { return nil }
            self = .dhtPush(DHTPush(key: k, record: r))
        case .dhtPushAck:
            guard count == 2 || count == 3, c.key(1), let k = c.nodeID(), c.key(2), let id = c.ownedBytes(count: 32) else { return nil }
            var renew = false
            if count == 3 {
                guard c.key(3), c.bool() == true else { return nil }
                renew = true
            }
            self = .dhtPushAck(DHTPushAck(key: k, msgID: id, oneShotSubscribe: renew))
        }
    }
}
