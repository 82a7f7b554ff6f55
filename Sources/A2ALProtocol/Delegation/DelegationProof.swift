import A2ALCore

/// A delegation proof (docs/protocol.md §4.10): the owner of a "master" address (Ed25519 0xA0,
/// Paralism 0xA2 or Ethereum 0xA3) authorises an Ed25519 operational key to publish records for it.
/// Carried CBOR-encoded in `SignedRecord.delegation`.
public struct DelegationProof: Hashable, Sendable {
    /// The only accepted scope: network operations.
    public static let networkScope: UInt8 = 1

    /// Master Ed25519 public key; empty for 0xA2/0xA3 masters (omitempty).
    public var masterPub: [UInt8]
    public var opPub: [UInt8]
    public var agentAddr: Address
    public var issuedAt: UInt64
    /// 0 means "never expires".
    public var expiresAt: UInt64
    public var scope: UInt8
    /// 64 bytes (Ed25519) or 65 (secp256k1 compact with recovery header).
    public var signature: [UInt8]
    /// The signed text for 0xA2/0xA3 masters; empty for 0xA0 (omitempty).
    public var message: String

    public init(masterPub: [UInt8], opPub: [UInt8], agentAddr: Address, issuedAt: UInt64, expiresAt: UInt64,
                scope: UInt8, signature: [UInt8], message: String) {
        self.masterPub = masterPub
        self.opPub = opPub
        self.agentAddr = agentAddr
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.scope = scope
        self.signature = signature
        self.message = message
    }

    // MARK: Encoding

    public var encoded: [UInt8] {
        var w = CBORWriter(capacity: 200 + message.utf8.count)
        w.mapHeader(6 + (masterPub.isEmpty ? 0 : 1) + (message.isEmpty ? 0 : 1))
        encodeSignedFields(to: &w)
        w.uint(7); w.bytes(signature)
        if !message.isEmpty { w.uint(8); w.text(message) }
        return w.bytes
    }

    /// The Ed25519-master preimage: "a2al-del\0" || canonical({1..6}).
    public var ed25519Preimage: [UInt8] {
        var w = CBORWriter(capacity: 130)
        w.raw(ProtocolConstants.delegationSignPrefix)
        w.mapHeader(masterPub.isEmpty ? 5 : 6)
        encodeSignedFields(to: &w)
        return w.bytes
    }

    /// Fields 1–6, shared by the proof encoding and the Ed25519 preimage.
    private func encodeSignedFields(to w: inout CBORWriter) {
        if !masterPub.isEmpty { w.uint(1); w.bytes(masterPub) }
        w.uint(2); w.bytes(opPub)
        w.uint(3); w.bytes(agentAddr)
        w.uint(4); w.uint(issuedAt)
        w.uint(5); w.uint(expiresAt)
        w.uint(6); w.uint(scope)
    }

    // MARK: Parsing

    /// Decodes and applies the parse-time checks of §4.10.1.
    public init(encoded bytes: [UInt8]) throws(DelegationError) {
        let f: CBORFields
        do {
            f = try CBORFields(try CBOR.decode(bytes), context: "delegation")
            masterPub = try f.bytes(1) ?? []
            opPub = try f.bytes(2) ?? []
            let agent = try f.bytes(3) ?? []
            guard let a = Address(bytes: agent) else { throw DelegationError.malformed("agent_addr is \(agent.count) bytes, expected 21") }
            agentAddr = a
            issuedAt = try f.uint(4)
            expiresAt = try f.uint(5)
            scope = UInt8(try f.uint(6, max: UInt64(UInt8.max)))
            signature = try f.bytes(7) ?? []
            message = try f.text(8)
        } catch let e as DelegationError {
            throw e
        } catch {
            throw .malformed("\(error)")
        }
        guard opPub.count == 32 else { throw .malformed("op_pub is \(opPub.count) bytes, expected 32") }
        switch agentAddr.version {
        case Address.Version.ed25519.rawValue:
            guard masterPub.count == 32 else { throw .malformed("master_pub is \(masterPub.count) bytes, expected 32") }
            guard signature.count == 64 else { throw .malformed("signature is \(signature.count) bytes, expected 64") }
            guard message.isEmpty else { throw .malformed("an Ed25519 delegation carries no message") }
        case Address.Version.ethereum.rawValue, Address.Version.paralism.rawValue:
            guard masterPub.isEmpty else { throw .malformed("a chain delegation carries no master_pub") }
            guard signature.count == 65 else { throw .malformed("signature is \(signature.count) bytes, expected 65") }
            guard !message.isEmpty else { throw .malformed("a chain delegation needs its signed message") }
        default:
            throw .unsupportedMaster(agentAddr.version)
        }
    }
}

/// Why a delegation proof was rejected.
public enum DelegationError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    case unsupportedMaster(UInt8)
    case badSignature
    case masterMismatch
    case messageMismatch(String)
    case expired(expiresAt: UInt64, now: UInt64)
    case badScope(UInt8)
    case signingFailed(String)

    public var description: String {
        switch self {
        case .malformed(let r): return "malformed delegation proof: \(r)"
        case .unsupportedMaster(let v): return "delegation master version 0x\(String(v, radix: 16)) is not supported"
        case .badSignature: return "delegation signature does not verify"
        case .masterMismatch: return "delegation signer is not the agent address"
        case .messageMismatch(let r): return "delegation message disagrees with the proof: \(r)"
        case .expired(let e, let n): return "delegation expired at \(e) (now \(n))"
        case .badScope(let s): return "delegation scope \(s) is not 1"
        case .signingFailed(let r): return "delegation signing failed: \(r)"
        }
    }
}
