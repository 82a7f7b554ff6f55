import A2ALCore

/// The message types of docs/protocol.md: the ten of v0.1.7 and v0.2.4's DHT_PUSH / DHT_PUSH_ACK.
/// Any other value is rejected (and counted apart from malformed datagrams).
public enum MessageType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case ping = 0x01
    case pong = 0x02
    case findNode = 0x03
    case findNodeResp = 0x04
    case findValue = 0x05
    case findValueResp = 0x06
    case store = 0x07
    case storeResp = 0x08
    case natProbeReq = 0x09
    case natProbeEcho = 0x0A
    case dhtPush = 0x0B
    case dhtPushAck = 0x0C

    /// The response type a request expects, nil for responses and NAT probe messages.
    /// True for the types a v0.1.7 node does not know.
    public var isV024: Bool { self == .dhtPush || self == .dhtPushAck }

    public var expectedResponse: MessageType? {
        switch self {
        case .ping: return .pong
        case .findNode: return .findNodeResp
        case .findValue: return .findValueResp
        case .store: return .storeResp
        case .dhtPush: return .dhtPushAck
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .ping: return "PING"
        case .pong: return "PONG"
        case .findNode: return "FIND_NODE"
        case .findNodeResp: return "FIND_NODE_RESP"
        case .findValue: return "FIND_VALUE"
        case .findValueResp: return "FIND_VALUE_RESP"
        case .store: return "STORE"
        case .storeResp: return "STORE_RESP"
        case .natProbeReq: return "NAT_PROBE_REQ"
        case .natProbeEcho: return "NAT_PROBE_ECHO"
        case .dhtPush: return "DHT_PUSH"
        case .dhtPushAck: return "DHT_PUSH_ACK"
        }
    }
}
