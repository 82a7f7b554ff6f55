import CSodium

/// X25519 key agreement and the Ed25519 → X25519 conversions used by mailbox encryption.
public enum X25519 {
    /// Montgomery form of an Ed25519 public key (u = (1+y)/(1−y)); fails for keys that are not
    /// valid curve points.
    public static func publicKey(fromEd25519 edPublicKey: [UInt8]) throws -> [UInt8] {
        guard edPublicKey.count == 32 else {
            throw CryptoError.badLength("Ed25519 public key", expected: 32, got: edPublicKey.count)
        }
        Sodium.ensure()
        var out = [UInt8](repeating: 0, count: 32)
        guard crypto_sign_ed25519_pk_to_curve25519(&out, edPublicKey) == 0 else {
            throw CryptoError.invalidPublicKey
        }
        return out
    }

    /// X25519 private scalar of an Ed25519 seed: SHA-512(seed)[0:32], clamped.
    public static func privateKey(fromEd25519Seed seed: [UInt8]) throws -> [UInt8] {
        guard seed.count == 32 else {
            throw CryptoError.badLength("Ed25519 seed", expected: 32, got: seed.count)
        }
        var h = Array(SHA512.hash(seed).prefix(32))
        h[0] &= 248
        h[31] &= 127
        h[31] |= 64
        return h
    }

    /// The public key of an X25519 private scalar.
    public static func publicKey(fromPrivate privateKey: [UInt8]) throws -> [UInt8] {
        guard privateKey.count == 32 else {
            throw CryptoError.badLength("X25519 private key", expected: 32, got: privateKey.count)
        }
        Sodium.ensure()
        var out = [UInt8](repeating: 0, count: 32)
        _ = crypto_scalarmult_base(&out, privateKey)
        return out
    }

    /// X25519(privateKey, publicKey); an all-zero result is rejected, as Go's crypto/ecdh does.
    public static func sharedSecret(privateKey: [UInt8], publicKey: [UInt8]) throws -> [UInt8] {
        guard privateKey.count == 32 else {
            throw CryptoError.badLength("X25519 private key", expected: 32, got: privateKey.count)
        }
        guard publicKey.count == 32 else {
            throw CryptoError.badLength("X25519 public key", expected: 32, got: publicKey.count)
        }
        Sodium.ensure()
        var out = [UInt8](repeating: 0, count: 32)
        guard crypto_scalarmult(&out, privateKey, publicKey) == 0 else {
            throw CryptoError.weakSharedSecret
        }
        return out
    }
}
