import A2ALCore

extension DelegationProof {
    /// How long past `expires_at` a delegation is still accepted (the v0.2.3+ rule, for clocks
    /// that differ by up to a minute).
    public static let expiryGrace: UInt64 = 60

    /// True when the proof is past its expiry (with the grace) at `now`; `expires_at` 0 never expires.
    public func isExpired(now: UInt64) -> Bool {
        guard expiresAt != 0 else { return false }
        let (end, overflow) = expiresAt.addingReportingOverflow(DelegationProof.expiryGrace)
        return !overflow && now >= end
    }

    /// Full verification at `now` (docs/protocol.md, "Delegation proofs", plus the common tail).
    public func verify(now: UInt64) throws(DelegationError) {
        switch agentAddr.version {
        case Address.Version.ed25519.rawValue:
            guard Ed25519.verify(signature: signature, message: ed25519Preimage, publicKey: masterPub) else {
                throw .badSignature
            }
            guard Address.ed25519(publicKey: masterPub) == agentAddr else { throw .masterMismatch }
        case Address.Version.ethereum.rawValue:
            try verifyEthereum()
            try checkMessage()
        case Address.Version.paralism.rawValue:
            try verifyParalism()
            try checkMessage()
        default:
            throw .unsupportedMaster(agentAddr.version)
        }
        if isExpired(now: now) { throw .expired(expiresAt: expiresAt, now: now) }
        guard scope == DelegationProof.networkScope else { throw .badScope(scope) }
    }

    /// EIP-191 personal_sign: Keccak-256("\x19Ethereum Signed Message:\n" || len || message).
    static func ethereumHash(_ message: String) -> [UInt8] {
        let body = Array(message.utf8)
        return Keccak256.hash(Array("\u{19}Ethereum Signed Message:\n\(body.count)".utf8) + body)
    }

    /// Bitcoin signmessage: double SHA-256 of varstr(magic) || varstr(message).
    static func bitcoinHash(_ message: String) -> [UInt8] {
        let magic = Array("Bitcoin Signed Message:\n".utf8)
        let body = Array(message.utf8)
        return SHA256.hash(SHA256.hash(compactSize(magic.count) + magic + compactSize(body.count) + body))
    }

    static func compactSize(_ n: Int) -> [UInt8] {
        let v = UInt64(n)
        switch v {
        case 0..<0xfd: return [UInt8(v)]
        case 0xfd...0xffff: return [0xfd, UInt8(v & 0xff), UInt8(v >> 8)]
        case 0x10000...0xffff_ffff: return [0xfe] + (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) }
        default: return [0xff] + (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) }
        }
    }

    private func verifyEthereum() throws(DelegationError) {
        var v = signature[64]
        if v < 27 { v += 27 }
        guard v == 27 || v == 28 else { throw .badSignature }
        let key: Secp256k1.PublicKey
        do {
            key = try Secp256k1.recoverPublicKey(messageHash: DelegationProof.ethereumHash(message),
                                                 compactSignature: Array(signature[0..<64]),
                                                 recoveryID: Int32(v - 27))
        } catch {
            throw .badSignature
        }
        let derived = Keccak256.hash(Array(key.uncompressed.dropFirst()))[12..<32]
        guard Array(derived) == Array(agentAddr.hash20) else { throw .masterMismatch }
    }

    private func verifyParalism() throws(DelegationError) {
        let header = signature[0]
        guard header >= 27 && header <= 34 else { throw .badSignature }
        let recid = Int32((header - 27) & 3)
        let compressed = (header - 27) & 4 != 0
        let key: Secp256k1.PublicKey
        do {
            key = try Secp256k1.recoverPublicKey(messageHash: DelegationProof.bitcoinHash(message),
                                                 compactSignature: Array(signature[1..<65]), recoveryID: recid)
        } catch {
            throw .badSignature
        }
        let derived = Hash160.hash(compressed ? key.compressed : key.uncompressed)
        guard derived == Array(agentAddr.hash20) else { throw .masterMismatch }
    }

    private func checkMessage() throws(DelegationError) {
        let fields = try DelegationMessage.parse(message)
        guard fields.opKey == opPub else { throw .messageMismatch("op_key differs") }
        guard fields.agent == agentAddr else { throw .messageMismatch("agent differs") }
        guard fields.scope == scope else { throw .messageMismatch("scope differs") }
        guard fields.issuedAt == issuedAt else { throw .messageMismatch("issued_at differs") }
        guard fields.expiresAt == expiresAt else { throw .messageMismatch("expires_at differs") }
    }
}
