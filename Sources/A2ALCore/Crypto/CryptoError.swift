/// Failures of the cryptographic primitives.
public enum CryptoError: Error, Equatable, Sendable {
    /// An input had the wrong length (what, expected, got).
    case badLength(String, expected: Int, got: Int)
    /// An Ed25519 public key is not a valid curve point (cannot convert to X25519).
    case invalidPublicKey
    /// X25519 produced the all-zero shared secret (small-order input).
    case weakSharedSecret
    /// AES-256-GCM authentication failed.
    case authenticationFailed
    /// This CPU has no AES-NI/PCLMUL, which libsodium's AES-256-GCM requires.
    case aesGCMUnavailable
    /// A secp256k1 signature could not be parsed or recovered.
    case secp256k1(String)
    /// HKDF asked for more output than 255 blocks.
    case hkdfOutputTooLong
}
