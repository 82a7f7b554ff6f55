import CSodium

/// Ed25519 (RFC 8032) signing and verification on libsodium.
public enum Ed25519 {
    public static let publicKeyCount = 32
    public static let signatureCount = 64
    public static let seedCount = 32

    /// A key pair derived from a 32-byte seed. The secret key is libsodium's 64-byte form
    /// (seed || public key), the same layout as Go's ed25519.PrivateKey.
    public struct KeyPair: Sendable {
        public let seed: [UInt8]
        public let publicKey: [UInt8]
        let secretKey: [UInt8]

        public init(seed: [UInt8]) throws(CryptoError) {
            guard seed.count == Ed25519.seedCount else {
                throw CryptoError.badLength("Ed25519 seed", expected: 32, got: seed.count)
            }
            self.init(validSeed: seed)
        }

        /// `seed` is known to be 32 bytes.
        private init(validSeed seed: [UInt8]) {
            Sodium.ensure()
            var pk = [UInt8](repeating: 0, count: 32)
            var sk = [UInt8](repeating: 0, count: 64)
            _ = crypto_sign_seed_keypair(&pk, &sk, seed)
            self.seed = seed
            self.publicKey = pk
            self.secretKey = sk
        }

        /// A fresh random key pair.
        public static func generate() -> KeyPair {
            KeyPair(validSeed: SecureRandom.bytes(Ed25519.seedCount))
        }

        /// Pure Ed25519 signature over `message` (no pre-hashing).
        public func sign(_ message: [UInt8]) -> [UInt8] {
            var sig = [UInt8](repeating: 0, count: 64)
            message.withUnsafeBufferPointer { m in
                _ = crypto_sign_detached(&sig, nil, m.baseAddress, UInt64(m.count), secretKey)
            }
            return sig
        }

        /// The A2AL address of this key.
        public var address: Address { Address.ed25519(publicKey: publicKey) }
    }

    /// Verifies `signature` over `message` with `publicKey`. Wrong lengths are simply invalid.
    public static func verify(signature: [UInt8], message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard signature.count == 64, publicKey.count == 32 else { return false }
        Sodium.ensure()
        return message.withUnsafeBufferPointer { m in
            crypto_sign_verify_detached(signature, m.baseAddress, UInt64(m.count), publicKey) == 0
        }
    }
}
