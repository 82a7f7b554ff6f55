/// A forward-only reader for the fast path of schema decoding: it reads definite-length items
/// in place, without building a `CBOR` tree or allocating.
///
/// Every method returns nil when the next item is not the simple form it expects (indefinite
/// lengths, tags, another type, a bad length…). A nil is not a rejection: callers then decode
/// the same bytes with `CBORReader` + `CBORFields`, which implement the reference decoder's
/// full leniency and produce the typed error. So the fast path only ever *accepts* input, and
/// whatever it accepts must decode to exactly what the general path would produce.
public struct CBORCursor {
    public let bytes: [UInt8]
    // Settable only so the readers below can be inlined into other modules.
    public var position: Int

    @inlinable
    public init(_ bytes: [UInt8], position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    public var isAtEnd: Bool { position == bytes.count }

    /// Reads a head with a definite argument; nil for indefinite or reserved forms.
    @inlinable
    public mutating func head() -> (major: UInt8, argument: UInt64)? {
        guard position < bytes.count else { return nil }
        let initial = bytes[position]
        let ai = initial & 0x1f
        let major = initial >> 5
        switch ai {
        case 0..<24:
            position += 1
            return (major, UInt64(ai))
        case 24...27:
            let n = 1 << Int(ai - 24)
            guard bytes.count - position > n else { return nil }
            var v: UInt64 = 0
            for i in 1...n { v = v << 8 | UInt64(bytes[position + i]) }
            position += 1 + n
            return (major, v)
        default:
            return nil
        }
    }

    /// A definite map header; its number of pairs.
    @inlinable
    public mutating func mapCount() -> Int? {
        let save = position
        guard let h = head(), h.major == 5, h.argument <= 64 else { position = save; return nil }
        return Int(h.argument)
    }

    /// A definite array header; its number of elements (bounded by what remains).
    @inlinable
    public mutating func arrayCount() -> Int? {
        let save = position
        guard let h = head(), h.major == 4, h.argument <= UInt64(bytes.count - position) else { position = save; return nil }
        return Int(h.argument)
    }

    /// An unsigned map key equal to `key`.
    @inlinable
    public mutating func key(_ key: UInt64) -> Bool {
        let save = position
        guard let h = head(), h.major == 0, h.argument == key else { position = save; return false }
        return true
    }

    @inlinable
    public mutating func uint(max: UInt64 = .max) -> UInt64? {
        let save = position
        guard let h = head(), h.major == 0, h.argument <= max else { position = save; return nil }
        return h.argument
    }

    @inlinable
    public mutating func bool() -> Bool? {
        guard position < bytes.count else { return nil }
        switch bytes[position] {
        case 0xf4: position += 1; return false
        case 0xf5: position += 1; return true
        default: return nil
        }
    }

    /// Consumes a `null` if one is next.
    @inlinable
    public mutating func null() -> Bool {
        guard position < bytes.count, bytes[position] == 0xf6 else { return false }
        position += 1
        return true
    }

    /// A definite byte string; the range of its content in `bytes`.
    @inlinable
    public mutating func byteString() -> Range<Int>? {
        let save = position
        guard let h = head(), h.major == 2, h.argument <= UInt64(bytes.count - position) else { position = save; return nil }
        let start = position
        position += Int(h.argument)
        return start..<position
    }

    /// A definite byte string of exactly `count` bytes.
    @inlinable
    public mutating func byteString(count: Int) -> Range<Int>? {
        let save = position
        guard let r = byteString(), r.count == count else { position = save; return nil }
        return r
    }

    /// A definite, valid UTF-8 text string.
    @inlinable
    public mutating func text() -> String? {
        let save = position
        guard let h = head(), h.major == 3, h.argument <= UInt64(bytes.count - position) else { position = save; return nil }
        let r = position..<(position + Int(h.argument))
        guard let s = String(validating: bytes[r], as: UTF8.self) else { position = save; return nil }
        position = r.upperBound
        return s
    }
}
