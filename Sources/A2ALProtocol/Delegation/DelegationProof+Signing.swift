import A2ALCore

extension DelegationProof {
    /// An Ed25519 master authorises `opPub`.
    public static func signEd25519(master: Ed25519.KeyPair, opPub: [UInt8], issuedAt: UInt64, expiresAt: UInt64,
                                   scope: UInt8 = networkScope) -> DelegationProof {
        var proof = DelegationProof(masterPub: master.publicKey, opPub: opPub, agentAddr: master.address,
                                    issuedAt: issuedAt, expiresAt: expiresAt, scope: scope, signature: [], message: "")
        proof.signature = master.sign(proof.ed25519Preimage)
        return proof
    }

    /// An Ethereum (0xA3) master authorises `opPub` with an EIP-191 personal_sign.
    public static func signEthereum(master: Secp256k1.PrivateKey, opPub: [UInt8], issuedAt: UInt64, expiresAt: UInt64,
                                    scope: UInt8 = networkScope) throws(DelegationError) -> DelegationProof {
        let pub = master.publicKey.uncompressed
        let hash20 = Array(Keccak256.hash(Array(pub.dropFirst()))[12..<32])
        guard let agent = Address(version: Address.Version.ethereum.rawValue, hash20: hash20) else {
            throw .signingFailed("bad public key")
        }
        let message = DelegationMessage.text(chain: .ethereum, opPub: opPub, agent: agent, scope: scope,
                                             issuedAt: issuedAt, expiresAt: expiresAt)
        do {
            let sig = try master.signRecoverable(messageHash: ethereumHash(message))
            return DelegationProof(masterPub: [], opPub: opPub, agentAddr: agent, issuedAt: issuedAt,
                                   expiresAt: expiresAt, scope: scope,
                                   signature: sig.rs + [UInt8(27 + sig.recoveryID)], message: message)
        } catch {
            throw .signingFailed("\(error)")
        }
    }

    /// A Paralism (0xA2) master authorises `opPub` with a Bitcoin signmessage signature.
    public static func signParalism(master: Secp256k1.PrivateKey, compressed: Bool = true, opPub: [UInt8],
                                    issuedAt: UInt64, expiresAt: UInt64,
                                    scope: UInt8 = networkScope) throws(DelegationError) -> DelegationProof {
        let pub = compressed ? master.publicKey.compressed : master.publicKey.uncompressed
        guard let agent = Address(version: Address.Version.paralism.rawValue, hash20: Hash160.hash(pub)) else {
            throw .signingFailed("bad public key")
        }
        let message = DelegationMessage.text(chain: .paralism, opPub: opPub, agent: agent, scope: scope,
                                             issuedAt: issuedAt, expiresAt: expiresAt)
        do {
            let sig = try master.signRecoverable(messageHash: bitcoinHash(message))
            let header = UInt8(27 + sig.recoveryID) + (compressed ? 4 : 0)
            return DelegationProof(masterPub: [], opPub: opPub, agentAddr: agent, issuedAt: issuedAt,
                                   expiresAt: expiresAt, scope: scope, signature: [header] + sig.rs, message: message)
        } catch {
            throw .signingFailed("\(error)")
        }
    }
}
