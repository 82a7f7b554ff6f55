/// A 32-byte DHT identifier: SHA-256 of an `Address`, or any other 32-byte DHT key.
public struct NodeID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public static let byteCount = 32
    public static let bitCount = 256

    public let bytes: [UInt8]

    /// Wraps exactly 32 bytes; nil otherwise.
    public init?(bytes: [UInt8]) {
        guard bytes.count == NodeID.byteCount else { return nil }
        self.bytes = bytes
    }

    init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    /// The all-zero key, which in a STORE means "use NodeID(record.address)".
    public static let zero = NodeID(unchecked: [UInt8](repeating: 0, count: 32))

    /// A uniformly random identifier.
    public static func random() -> NodeID { NodeID(unchecked: SecureRandom.bytes(32)) }

    public var isZero: Bool { bytes.allSatisfy { $0 == 0 } }

    public var description: String { bytes.hex }

    /// Parses 64 hex characters.
    public init?(hex: String) {
        guard let b = [UInt8](hex: hex), b.count == 32 else { return nil }
        self.bytes = b
    }

    /// XOR distance to `other`.
    public func distance(to other: NodeID) -> Distance {
        var d = [UInt8](repeating: 0, count: 32)
        for i in 0..<32 { d[i] = bytes[i] ^ other.bytes[i] }
        return Distance(bytes: d)
    }

    /// Number of leading bits shared with `other` (256 when equal).
    public func commonPrefixLength(with other: NodeID) -> Int {
        for i in 0..<32 {
            let x = bytes[i] ^ other.bytes[i]
            if x != 0 { return i * 8 + x.leadingZeroBitCount }
        }
        return 256
    }

    /// K-bucket index of `other` relative to self: the common prefix length (0…255),
    /// or -1 when `other` is self.
    public func bucketIndex(of other: NodeID) -> Int {
        let cpl = commonPrefixLength(with: other)
        return cpl == 256 ? -1 : cpl
    }

    /// True when `a` is strictly closer to self than `b` under the XOR metric.
    public func isCloser(_ a: NodeID, than b: NodeID) -> Bool {
        for i in 0..<32 {
            let da = bytes[i] ^ a.bytes[i], db = bytes[i] ^ b.bytes[i]
            if da != db { return da < db }
        }
        return false
    }

    public static func < (a: NodeID, b: NodeID) -> Bool {
        a.bytes.lexicographicallyPrecedes(b.bytes)
    }
}

/// An XOR distance, ordered as a 256-bit big-endian unsigned integer.
public struct Distance: Hashable, Sendable, Comparable {
    public let bytes: [UInt8]
    public static func < (a: Distance, b: Distance) -> Bool {
        a.bytes.lexicographicallyPrecedes(b.bytes)
    }
}
