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
        }
    }

    /// Canonical body bytes (what is signed and sent).
    public var encodedSizeHint: Int { 256 }

    /// Decodes a body of the given type with the per-type length rules of wire.md §3.7.
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
        }
    }
}
