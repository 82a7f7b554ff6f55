import A2ALCore

/// Why an inbound datagram was rejected or an outbound one could not be built.
public enum PacketError: Error, Equatable, Sendable, CustomStringConvertible {
    case cbor(CBORError)
    case missingBody
    case badTxIDLength(Int)
    case badPublicKeyLength(Int)
    case badSignatureLength(Int)
    case unknownMessageType(UInt8)
    case badSignature
    /// PING/PONG body address is not the sender's key-derived address.
    case addressMismatch
    /// The encoded datagram exceeds 1200 bytes; we never truncate.
    case oversize(Int)
    case signingFailed(String)

    public var description: String {
        switch self {
        case .cbor(let e): return "malformed packet: \(e)"
        case .missingBody: return "packet has no body"
        case .badTxIDLength(let n): return "tx_id is \(n) bytes, expected 20"
        case .badPublicKeyLength(let n): return "sender public key is \(n) bytes, expected 32"
        case .badSignatureLength(let n): return "signature is \(n) bytes, expected 64"
        case .unknownMessageType(let t): return "unknown msg_type 0x\(String(t, radix: 16))"
        case .badSignature: return "signature does not verify"
        case .addressMismatch: return "body address does not match the sender key"
        case .oversize(let n): return "datagram of \(n) bytes exceeds the 1200-byte limit"
        case .signingFailed(let r): return "signing failed: \(r)"
        }
    }
}
