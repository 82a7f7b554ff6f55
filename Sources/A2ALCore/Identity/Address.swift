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
        self.init(version: version, uncheckedHash20: hash20)
    }

    /// A version byte and the first 20 bytes of `h` (which must hold at least 20).
    @inlinable
    init<C: RandomAccessCollection>(version: UInt8, uncheckedHash20 h: C) where C.Element == UInt8, C.Index == Int {
        self.version = version
        h0 = BigEndianWords.load64(h, 0)
        h1 = BigEndianWords.load64(h, 8)
        h2 = BigEndianWords.load32(h, 16)
    }

    @inlinable
    init<C: RandomAccessCollection>(unchecked b: C) where C.Element == UInt8, C.Index == Int {
        self.init(version: b[b.startIndex], uncheckedHash20: b.dropFirst())
    }

    /// Calls `body` with the 21 raw bytes, version first, in a buffer on the stack: the one
    /// place that lays them out, for hashing and encoding without an array.
    @inlinable
    public func withBytes<T>(_ body: (UnsafeRawBufferPointer) -> T) -> T {
        withUnsafeTemporaryAllocation(byteCount: Address.byteCount, alignment: 1) { buffer in
            buffer[0] = version
            // The 20 hash bytes at once (a tuple of 8 + 8 + 4 bytes has no padding inside).
            withUnsafeBytes(of: (h0.bigEndian, h1.bigEndian, h2.bigEndian)) {
                UnsafeMutableRawBufferPointer(rebasing: buffer[1...]).copyMemory(from: $0)
            }
            return body(UnsafeRawBufferPointer(buffer))
        }
    }

    /// The 21 raw bytes, version first.
    public var bytes: [UInt8] { withBytes { Array($0) } }

    /// The 20 bytes after the version.
    public var hash20: [UInt8] { Array(bytes.dropFirst()) }

    /// True when the version byte lies in the A2AL space 0xA0–0xAF.
    public var isValidVersion: Bool { (0xA0...0xAF).contains(version) }

    /// The address of an Ed25519 public key: 0xA0 || SHA-256(pub)[0:20]. Computed for every
    /// inbound message, so the digest stays on the stack.
    public static func ed25519(publicKey: [UInt8]) -> Address {
        publicKey.withUnsafeBytes { key in
            // SHA-256 is 32 bytes, so the prefix is exactly 20.
            SHA256.withDigest(of: key) { Address(version: Version.ed25519.rawValue, uncheckedHash20: $0) }
        }
    }

    /// The DHT key of this address: SHA-256 of the 21 bytes, hashed from the stack.
    public var nodeID: NodeID {
        withBytes { bytes in SHA256.withDigest(of: bytes) { NodeID(unchecked: $0) } }
    }

    public static func < (a: Address, b: Address) -> Bool {
        (a.version, a.h0, a.h1, a.h2) < (b.version, b.h0, b.h1, b.h2)
    }
}
