import A2ALCore

/// The body of one message, by type.
public enum MessageBody: Hashable, Sendable, CBOREncodable {
    case ping(Ping)
    case pong(Pong)
    case findNode(FindNode)
    case findNodeResp(FindNodeResp)
    case findValue(FindValue)
    case findValueResp(FindValueResp)
    case store(Store)
    case storeResp(StoreResp)
    case natProbeRequest(NATProbeRequest)
    case natProbeEcho(NATProbeEcho)
    case dhtPush(DHTPush)
    case dhtPushAck(DHTPushAck)

    public var type: MessageType {
        switch self {
        case .ping: return .ping
        case .pong: return .pong
        case .findNode: return .findNode
        case .findNodeResp: return .findNodeResp
        case .findValue: return .findValue
        case .findValueResp: return .findValueResp
        case .store: return .store
        case .storeResp: return .storeResp
        case .natProbeRequest: return .natProbeReq
        case .natProbeEcho: return .natProbeEcho
        case .dhtPush: return .dhtPush
        case .dhtPushAck: return .dhtPushAck
        }
    }

    public func encode(to w: inout CBORWriter) {
        switch self {
        case .ping(let b): b.encode(to: &w)
        case .pong(let b): b.encode(to: &w)
        case .findNode(let b): b.encode(to: &w)
        case .findNodeResp(let b): b.encode(to: &w)
        case .findValue(let b): b.encode(to: &w)
        case .findValueResp(let b): b.encode(to: &w)
        case .store(let b): b.encode(to: &w)
        case .storeResp(let b): b.encode(to: &w)
        case .natProbeRequest(let b): b.encode(to: &w)
        case .natProbeEcho(let b): b.encode(to: &w)
        case .dhtPush(let b): b.encode(to: &w)
        case .dhtPushAck(let b): b.encode(to: &w)
        }
    }

    /// Canonical body bytes (what is signed and sent): room for the largest body a datagram
    /// carries, so a full FIND_NODE or FIND_VALUE answer is written without growing the buffer.
    public var encodedSizeHint: Int { ProtocolConstants.maxDatagramSize }

    /// Decodes a body of the given type with the per-type length rules of docs/protocol.md.
    public init(type: MessageType, cbor: CBOR) throws(CBORError) {
        let f = try CBORFields(cbor, context: type.description)
        switch type {
        case .ping: self = .ping(try Ping(fields: f))
        case .pong: self = .pong(try Pong(fields: f))
        case .findNode: self = .findNode(try FindNode(fields: f))
        case .findNodeResp: self = .findNodeResp(try FindNodeResp(fields: f))
        case .findValue: self = .findValue(try FindValue(fields: f))
        case .findValueResp: self = .findValueResp(try FindValueResp(fields: f))
        case .store: self = .store(try Store(fields: f))
        case .storeResp: self = .storeResp(try StoreResp(fields: f))
        case .natProbeReq: self = .natProbeRequest(try NATProbeRequest(fields: f))
        case .natProbeEcho: self = .natProbeEcho(try NATProbeEcho(fields: f))
        case .dhtPush: self = .dhtPush(try DHTPush(fields: f))
        case .dhtPushAck: self = .dhtPushAck(try DHTPushAck(fields: f))
        }
    }
}

extension MessageBody {
    /// The body as a v0.1.7 decoder sees it: the v0.2.x fields dropped.
    public var v017Projection: MessageBody {
        switch self {
        case .findValue(var b): b.oneShotSubscribe = false; return .findValue(b)
        case .storeResp(var b): b.alreadyHad = false; b.reason = 0; return .storeResp(b)
        default: return self
        }
    }

    /// True when the body uses a field or type that a v0.1.7 receiver drops.
    public var needsV018: Bool { self != v017Projection || type.isV024 }
}

