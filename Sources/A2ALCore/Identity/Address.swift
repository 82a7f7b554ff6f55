/// A 21-byte A2AL address: one version byte (0xA0–0xAF) followed by a 20-byte hash.
///
/// Only 0xA0 (Ed25519) addresses can belong to a DHT node; 0xA2 (Paralism) and 0xA3
/// (Ethereum) appear as the "master" of a delegation proof. Stored inline (no heap).
public struct Address: Hashable, Sendable, Comparable {
    public static let byteCount = 21

    /// The version registry of docs/protocol.md §1.1.
    public enum Version: UInt8, Sendable {
        case ed25519 = 0xA0
        case p256 = 0xA1
        case paralism = 0xA2
        case ethereum = 0xA3
    }

    // hash20 as big-endian words: 8 + 8 + 4 bytes. The version byte comes last so it packs
    // after h2 (21 bytes, stride 24) instead of padding a word before h0 (stride 32): every
    // routing entry holds one (docs/routing.md §8.1).
    @usableFromInline let h0: UInt64, h1: UInt64, h2: UInt32
    public let version: UInt8

    /// Wraps exactly 21 bytes; nil otherwise. The version byte is not range-checked here:
    /// wire data may carry any byte and must round-trip (use `isValidVersion` when parsing text).
    @inlinable
    public init?<C: RandomAccessCollection>(bytes: C) where C.Element == UInt8, C.Index == Int {
        guard bytes.count == Address.byteCount else { return nil }
        self.init(unchecked: bytes)
    }

    /// Builds an address from a version byte and a 20-byte hash.
    @inlinable
    public init?<C: RandomAccessCollection>(version: UInt8, hash20: C) where C.Element == UInt8, C.Index == Int {
        guard hash20.count == 20 else { return nil }
        self.version = version
        h0 = BigEndianWords.load64(hash20, 0)
        h1 = BigEndianWords.load64(hash20, 8)
        h2 = BigEndianWords.load32(hash20, 16)
    }

    @inlinable
    init<C: RandomAccessCollection>(unchecked b: C) where C.Element == UInt8, C.Index == Int {
        version = b[b.startIndex]
        h0 = BigEndianWords.load64(b, 1)
        h1 = BigEndianWords.load64(b, 9)
        h2 = BigEndianWords.load32(b, 17)
    }

    /// The 21 raw bytes, version first.
    public var bytes: [UInt8] {
        var out: [UInt8] = [version]
        out.reserveCapacity(21)
        BigEndianWords.append(h0, to: &out)
        BigEndianWords.append(h1, to: &out)
        BigEndianWords.append(h2, to: &out)
        return out
    }

    /// The 20 bytes after the version.
    public var hash20: [UInt8] { Array(bytes.dropFirst()) }

    /// True when the version byte lies in the A2AL space 0xA0–0xAF.
    public var isValidVersion: Bool { (0xA0...0xAF).contains(version) }

    /// The address of an Ed25519 public key: 0xA0 || SHA-256(pub)[0:20].
    public static func ed25519(publicKey: [UInt8]) -> Address {
        let digest = SHA256.hash(publicKey)
        // SHA-256 is 32 bytes, so the prefix is exactly 20.
        return Address(unchecked: [Version.ed25519.rawValue] + digest[0..<20])
    }

    /// The DHT key of this address: SHA-256 of the 21 bytes.
    public var nodeID: NodeID { NodeID(unchecked: SHA256.hash(bytes)) }

    public static func < (a: Address, b: Address) -> Bool {
        (a.version, a.h0, a.h1, a.h2) < (b.version, b.h0, b.h1, b.h2)
    }
}
