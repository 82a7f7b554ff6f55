import CSecp256k1

/// secp256k1 ECDSA on Debian's libsecp256k1.
///
/// The DHT itself never signs with secp256k1: only the owners of Ethereum (0xA3) and Paralism
/// (0xA2) addresses do, to sign a delegation proof (docs/protocol.md §1.3, §4.10.3–4.10.4). A node
/// therefore needs public-key *recovery*; signing exists so tests and tools can make proofs.
public enum Secp256k1 {
    public static let messageHashCount = 32
    public static let compactSignatureCount = 64
    public static let privateKeyCount = 32

    /// The group order n, big-endian. r and s must lie in [1, n−1].
    static let order: [UInt8] = [
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE,
        0xBA, 0xAE, 0xDC, 0xE6, 0xAF, 0x48, 0xA0, 0x3B, 0xBF, 0xD2, 0x5E, 0x8C, 0xD0, 0x36, 0x41, 0x41,
    ]

    /// A recovered or derived public key in both SEC1 serializations, because the two
    /// masters hash different forms: Ethereum the uncompressed X‖Y, Paralism whichever form
    /// the signature header names.
    public struct PublicKey: Sendable, Equatable {
        /// 33 bytes: 0x02/0x03 || X.
        public let compressed: [UInt8]
        /// 65 bytes: 0x04 || X || Y.
        public let uncompressed: [UInt8]
    }

    /// Recovers the public key that produced the compact signature `rs` (r‖s, 64 bytes) over
    /// the 32-byte `messageHash`. `recoveryID` is 0–3 (callers strip the 27 offset).
    ///
    /// r and s must be in [1, n−1]. High s is accepted on purpose: the reference verifier
    /// does not enforce low-s for delegation proofs, and rejecting it would refuse proofs the
    /// Go nodes accept.
    public static func recoverPublicKey(
        messageHash: [UInt8], compactSignature rs: [UInt8], recoveryID: Int32
    ) throws(CryptoError) -> PublicKey {
        guard messageHash.count == messageHashCount else {
            throw .badLength("secp256k1 message hash", expected: messageHashCount, got: messageHash.count)
        }
        guard rs.count == compactSignatureCount else {
            throw .badLength("secp256k1 compact signature", expected: compactSignatureCount, got: rs.count)
        }
        // The library aborts the process (illegal-argument callback) on a recovery id outside
        // 0–3, so this must be checked here, before any call.
        guard (0...3).contains(recoveryID) else {
            throw .secp256k1("recovery id must be 0-3, got \(recoveryID)")
        }
        // Checked explicitly so the error says which half is bad; the library would also
        // refuse (parse on overflow, recover on zero) but without saying why.
        guard isValidScalar(rs[0..<32]) else { throw .secp256k1("signature r is not in [1, n-1]") }
        guard isValidScalar(rs[32..<64]) else { throw .secp256k1("signature s is not in [1, n-1]") }

        let ctx = sharedContext.pointer
        var signature = secp256k1_ecdsa_recoverable_signature()
        guard secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &signature, rs, recoveryID) == 1 else {
            throw .secp256k1("signature could not be parsed")
        }
        var pubkey = secp256k1_pubkey()
        guard secp256k1_ecdsa_recover(ctx, &pubkey, &signature, messageHash) == 1 else {
            throw .secp256k1("no public key recovers from this signature and hash")
        }
        return serialize(&pubkey)
    }

    /// A secp256k1 secret key, for making delegation proofs in tests and tools.
    public struct PrivateKey: Sendable {
        private let secret: [UInt8]
        public let publicKey: PublicKey

        /// `bytes` is the 32-byte big-endian scalar; it must be in [1, n−1].
        public init(bytes: [UInt8]) throws(CryptoError) {
            guard bytes.count == Secp256k1.privateKeyCount else {
                throw .badLength("secp256k1 private key", expected: Secp256k1.privateKeyCount, got: bytes.count)
            }
            let ctx = sharedContext.pointer
            guard secp256k1_ec_seckey_verify(ctx, bytes) == 1 else {
                throw .secp256k1("private key is not in [1, n-1]")
            }
            var pubkey = secp256k1_pubkey()
            guard secp256k1_ec_pubkey_create(ctx, &pubkey, bytes) == 1 else {
                throw .secp256k1("could not derive the public key")
            }
            self.secret = bytes
            self.publicKey = Secp256k1.serialize(&pubkey)
        }

        /// Signs a 32-byte hash with a deterministic (RFC 6979) nonce. The result is always
        /// low-s, as the library produces; `recoveryID` is 0–3 (in practice 0 or 1).
        public func signRecoverable(messageHash: [UInt8]) throws(CryptoError) -> (rs: [UInt8], recoveryID: Int32) {
            guard messageHash.count == Secp256k1.messageHashCount else {
                throw .badLength("secp256k1 message hash", expected: Secp256k1.messageHashCount, got: messageHash.count)
            }
            let ctx = sharedContext.pointer
            var signature = secp256k1_ecdsa_recoverable_signature()
            // nil nonce function = the library's default, RFC 6979.
            guard secp256k1_ecdsa_sign_recoverable(ctx, &signature, messageHash, secret, nil, nil) == 1 else {
                throw .secp256k1("signing failed")
            }
            var rs = [UInt8](repeating: 0, count: Secp256k1.compactSignatureCount)
            var recid: Int32 = 0
            _ = secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, &rs, &recid, &signature)
            return (rs, recid)
        }
    }

    /// True when the 32 big-endian bytes are a scalar in [1, n−1].
    static func isValidScalar(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.contains(where: { $0 != 0 }) else { return false }
        // Equal lengths, big-endian: lexicographic order is numeric order.
        return bytes.lexicographicallyPrecedes(order)
    }

    static func serialize(_ pubkey: inout secp256k1_pubkey) -> PublicKey {
        let ctx = sharedContext.pointer
        var compressed = [UInt8](repeating: 0, count: 33)
        var compressedCount = 33
        _ = secp256k1_ec_pubkey_serialize(ctx, &compressed, &compressedCount, &pubkey,
                                          UInt32(SECP256K1_EC_COMPRESSED))
        var uncompressed = [UInt8](repeating: 0, count: 65)
        var uncompressedCount = 65
        _ = secp256k1_ec_pubkey_serialize(ctx, &uncompressed, &uncompressedCount, &pubkey,
                                          UInt32(SECP256K1_EC_UNCOMPRESSED))
        return PublicKey(compressed: compressed, uncompressed: uncompressed)
    }
}

/// The process-wide libsecp256k1 context.
///
/// Creating a context is comparatively slow, so there is one. It is randomized once, during
/// the (thread-safe, run-once) global initialisation; after that every call here passes it
/// as `const`, and the library documents such use as safe from many threads at once. That is
/// why the unchecked Sendable is sound. It is never destroyed: it lives as long as the process.
private final class SharedSecp256k1Context: @unchecked Sendable {
    let pointer: OpaquePointer

    init() {
        guard let ctx = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
            // Only a failed malloc gets here (the library itself would abort first).
            fatalError("secp256k1_context_create failed")
        }
        // Blinds secret-key multiplications against side channels (header advice for
        // contexts used to sign). A failure leaves the context unblinded but correct.
        let seed = SecureRandom.bytes(32)
        _ = secp256k1_context_randomize(ctx, seed)
        pointer = ctx
    }
}

private let sharedContext = SharedSecp256k1Context()
