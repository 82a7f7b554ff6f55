/// A 32-byte DHT identifier: SHA-256 of an `Address`, or any other 32-byte DHT key.
///
/// Stored inline as four big-endian words: routing tables hold many of these, and XOR distance,
/// ordering and prefix length then work a word at a time without touching the heap.
public struct NodeID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public static let byteCount = 32
    public static let bitCount = 256

    @usableFromInline let w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    @inlinable
    init(_ w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64) {
        self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3
    }

    /// Wraps exactly 32 bytes; nil otherwise.
    @inlinable
    public init?<C: RandomAccessCollection>(bytes: C) where C.Element == UInt8, C.Index == Int {
        guard bytes.count == NodeID.byteCount else { return nil }
        self.init(unchecked: bytes)
    }

    @inlinable
    init<C: RandomAccessCollection>(unchecked b: C) where C.Element == UInt8, C.Index == Int {
        self.init(BigEndianWords.load64(b, 0), BigEndianWords.load64(b, 8),
                  BigEndianWords.load64(b, 16), BigEndianWords.load64(b, 24))
    }

    /// The 32 bytes, most significant first.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for w in [w0, w1, w2, w3] { BigEndianWords.append(w, to: &out) }
        return out
    }

    /// The all-zero key, which in a STORE means "use NodeID(record.address)".
    public static let zero = NodeID(0, 0, 0, 0)

    /// A uniformly random identifier.
    public static func random() -> NodeID { NodeID(unchecked: SecureRandom.bytes(32)) }

    public var isZero: Bool { (w0 | w1 | w2 | w3) == 0 }

    public var description: String { bytes.hex }

    /// Parses 64 hex characters.
    public init?(hex: String) {
        guard let b = [UInt8](hex: hex), b.count == Self.byteCount else { return nil }
        self.init(unchecked: b)
    }

    /// XOR distance to `other`.
    @inlinable
    public func distance(to other: NodeID) -> Distance {
        Distance(id: NodeID(w0 ^ other.w0, w1 ^ other.w1, w2 ^ other.w2, w3 ^ other.w3))
    }

    /// This identifier with bit `index` flipped, counting from the most significant (0) to the
    /// least (255); nil outside 0..<256. The result shares exactly `index` leading bits with
    /// this one.
    public func flippingBit(_ index: Int) -> NodeID? {
        guard (0..<Self.bitCount).contains(index) else { return nil }
        let mask = UInt64(1) << UInt64(63 - index % 64)
        switch index / 64 {
        case 0: return NodeID(w0 ^ mask, w1, w2, w3)
        case 1: return NodeID(w0, w1 ^ mask, w2, w3)
        case 2: return NodeID(w0, w1, w2 ^ mask, w3)
        default: return NodeID(w0, w1, w2, w3 ^ mask)
        }
    }

    /// Whether bit `index` is set, counting from the most significant (0) to the least (255).
    /// `index` must lie in 0..<256.
    @inlinable
    public func isSet(bit index: Int) -> Bool {
        let word: UInt64
        switch index >> 6 {
        case 0: word = w0
        case 1: word = w1
        case 2: word = w2
        default: word = w3
        }
        return word & (UInt64(1) << UInt64(63 - (index & 63))) != 0
    }

    /// Number of leading bits shared with `other` (256 when equal).
    @inlinable
    public func commonPrefixLength(with other: NodeID) -> Int {
        let x = (w0 ^ other.w0, w1 ^ other.w1, w2 ^ other.w2, w3 ^ other.w3)
        if x.0 != 0 { return x.0.leadingZeroBitCount }
        if x.1 != 0 { return 64 + x.1.leadingZeroBitCount }
        if x.2 != 0 { return 128 + x.2.leadingZeroBitCount }
        if x.3 != 0 { return 192 + x.3.leadingZeroBitCount }
        return 256
    }

    /// K-bucket index of `other` relative to self: the common prefix length (0…255),
    /// or -1 when `other` is self.
    @inlinable
    public func bucketIndex(of other: NodeID) -> Int {
        let cpl = commonPrefixLength(with: other)
        return cpl == 256 ? -1 : cpl
    }

    /// True when `a` is strictly closer to self than `b` under the XOR metric.
    @inlinable
    public func isCloser(_ a: NodeID, than b: NodeID) -> Bool {
        distance(to: a) < distance(to: b)
    }

    @inlinable
    public static func < (a: NodeID, b: NodeID) -> Bool {
        if a.w0 != b.w0 { return a.w0 < b.w0 }
        if a.w1 != b.w1 { return a.w1 < b.w1 }
        if a.w2 != b.w2 { return a.w2 < b.w2 }
        return a.w3 < b.w3
    }
}

/// An XOR distance, ordered as a 256-bit big-endian unsigned integer.
public struct Distance: Hashable, Sendable, Comparable {
    @usableFromInline let id: NodeID

    @inlinable
    init(id: NodeID) { self.id = id }

    public var bytes: [UInt8] { id.bytes }

    /// Whether bit `index` (0 the most significant, 255 the least) of the distance is set.
    @inlinable
    public func isSet(bit index: Int) -> Bool { id.isSet(bit: index) }

    @inlinable
    public static func < (a: Distance, b: Distance) -> Bool { a.id < b.id }
}
