/// A 21-byte A2AL address: one version byte (0xA0–0xAF) followed by a 20-byte hash.
///
/// Only 0xA0 (Ed25519) addresses can belong to a DHT node; 0xA2 (Paralism) and 0xA3
/// (Ethereum) appear as the "master" of a delegation proof.
public struct Address: Hashable, Sendable, Comparable {
    public static let byteCount = 21

    /// The version registry of wire.md §1.1.
    public enum Version: UInt8, Sendable {
        case ed25519 = 0xA0
        case p256 = 0xA1
        case paralism = 0xA2
        case ethereum = 0xA3
    }

    /// The 21 raw bytes, version first.
    public let bytes: [UInt8]

    /// Wraps exactly 21 bytes; nil otherwise. The version byte is not range-checked here:
    /// wire data may carry any byte and must round-trip (use `isValidVersion` when parsing text).
    public init?(bytes: [UInt8]) {
        guard bytes.count == Address.byteCount else { return nil }
        self.bytes = bytes
    }

    /// Builds an address from a version byte and a 20-byte hash.
    public init?(version: UInt8, hash20: [UInt8]) {
        guard hash20.count == 20 else { return nil }
        self.bytes = [version] + hash20
    }

    public var version: UInt8 { bytes[0] }
    public var hash20: ArraySlice<UInt8> { bytes[1...] }

    /// True when the version byte lies in the A2AL space 0xA0–0xAF.
    public var isValidVersion: Bool { (0xA0...0xAF).contains(version) }

    /// The address of an Ed25519 public key: 0xA0 || SHA-256(pub)[0:20].
    public static func ed25519(publicKey: [UInt8]) -> Address {
        let digest = SHA256.hash(publicKey)
        // Safe: SHA-256 is 32 bytes, so the prefix is exactly 20.
        return Address(unchecked: [Version.ed25519.rawValue] + digest[0..<20])
    }

    /// The DHT key of this address: SHA-256 of the 21 bytes.
    public var nodeID: NodeID { NodeID(unchecked: SHA256.hash(bytes)) }

    init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    public static func < (a: Address, b: Address) -> Bool {
        a.bytes.lexicographicallyPrecedes(b.bytes)
    }
}
