/// Writes canonical CBOR (RFC 7049 §3.9, as fxamacker/cbor's CanonicalEncOptions): shortest
/// heads, definite lengths, map keys sorted length-first then bytewise, shortest exact floats.
public struct CBORWriter: Sendable {
    /// The encoded output. (Settable so the hot methods can be inlined into other modules.)
    public var bytes: [UInt8]

    @inlinable
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    @inlinable @inline(__always)
    public mutating func head(major: UInt8, _ value: UInt64) {
        let m = major << 5
        switch value {
        case 0..<24:
            bytes.append(m | UInt8(value))
        case 24...0xff:
            bytes.append(m | 24); bytes.append(UInt8(value))
        case 0x100...0xffff:
            bytes.append(m | 25)
            bytes.append(UInt8(value >> 8)); bytes.append(UInt8(truncatingIfNeeded: value))
        case 0x1_0000...0xffff_ffff:
            bytes.append(m | 26)
            appendBigEndian(UInt32(truncatingIfNeeded: value))
        default:
            bytes.append(m | 27)
            appendBigEndian(value)
        }
    }

    @inlinable
    public mutating func uint(_ v: UInt64) { head(major: 0, v) }
    // Concrete overloads rather than one generic: a generic is not specialised across modules
    // and showed up as the top cost of message encoding.
    @inlinable
    public mutating func uint(_ v: UInt8) { head(major: 0, UInt64(v)) }
    @inlinable
    public mutating func uint(_ v: UInt16) { head(major: 0, UInt64(v)) }
    @inlinable
    public mutating func uint(_ v: UInt32) { head(major: 0, UInt64(v)) }
    /// Field keys and counts; never negative.
    @inlinable
    public mutating func uint(_ v: Int) { head(major: 0, UInt64(v)) }

    @inlinable
    public mutating func int(_ v: Int64) {
        if v >= 0 { head(major: 0, UInt64(v)) } else { head(major: 1, UInt64(-(v + 1))) }
    }

    @inlinable
    public mutating func bytes<C: Collection>(_ b: C) where C.Element == UInt8 {
        head(major: 2, UInt64(b.count))
        bytes.append(contentsOf: b)
    }

    /// Byte string from an array (a non-generic overload, so callers never hit a generic path).
    @inlinable
    public mutating func bytes(_ b: [UInt8]) {
        head(major: 2, UInt64(b.count))
        bytes.append(contentsOf: b)
    }

    /// A byte field without omitempty: nil is `null`, empty is `0x40`.
    @inlinable
    public mutating func nullableBytes(_ b: [UInt8]?) {
        if let b { bytes(b) } else { null() }
    }

    @inlinable
    public mutating func text(_ s: String) {
        let u = s.utf8
        head(major: 3, UInt64(u.count))
        bytes.append(contentsOf: u)
    }

    /// A text list without omitempty: nil is `null`, empty is `0x80`.
    @inlinable
    public mutating func nullableTextArray(_ list: [String]?) {
        guard let list else { null(); return }
        arrayHeader(list.count)
        for s in list { text(s) }
    }

    @inlinable
    public mutating func arrayHeader(_ count: Int) { head(major: 4, UInt64(count)) }
    @inlinable
    public mutating func mapHeader(_ count: Int) { head(major: 5, UInt64(count)) }
    @inlinable
    public mutating func bool(_ b: Bool) { bytes.append(b ? 0xf5 : 0xf4) }
    @inlinable
    public mutating func null() { bytes.append(0xf6) }

    /// Appends an already-encoded data item verbatim (e.g. an embedded message body).
    @inlinable
    public mutating func raw<C: Collection>(_ encoded: C) where C.Element == UInt8 {
        bytes.append(contentsOf: encoded)
    }

    /// Shortest of float16/32/64 that holds `d` exactly; NaN is f97e00.
    public mutating func float(_ d: Double) {
        if d.isNaN { bytes.append(contentsOf: [0xf9, 0x7e, 0x00]); return }
        if let h = FloatBits.exactHalf(d) {
            bytes.append(0xf9); bytes.append(UInt8(h >> 8)); bytes.append(UInt8(h & 0xff)); return
        }
        let f = Float(d)
        if Double(f) == d {
            let b = f.bitPattern
            bytes.append(0xfa)
            for s in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: b >> UInt32(s))) }
            return
        }
        let b = d.bitPattern
        bytes.append(0xfb)
        for s in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: b >> UInt64(s))) }
    }

    /// Canonical encoding of a generic item.
    public mutating func value(_ v: CBOR) {
        switch v {
        case .unsigned(let n): head(major: 0, n)
        case .negative(let n): head(major: 1, n)
        case .bytes(let b): bytes(b)
        case .text(let s): text(s)
        case .array(let items):
            arrayHeader(items.count)
            for i in items { value(i) }
        case .map(let pairs):
            // Length-first, then bytewise, on the encoded keys.
            let encoded = pairs.map { (key: $0.key.encoded, value: $0.value) }
            let sorted = encoded.sorted { a, b in
                a.key.count != b.key.count ? a.key.count < b.key.count : a.key.lexicographicallyPrecedes(b.key)
            }
            mapHeader(sorted.count)
            for p in sorted { raw(p.key); value(p.value) }
        case .tagged(let t, let inner):
            head(major: 6, t)
            value(inner)
        case .bool(let b): bool(b)
        case .null: null()
        case .undefined: bytes.append(0xf7)
        case .simple(let s):
            if s < 24 { bytes.append(0xe0 | s) } else { bytes.append(0xf8); bytes.append(s) }
        case .float(let d): float(d)
        }
    }
}

/// IEEE 754 half-precision helpers (written out so the encoder does not depend on Float16
/// being available on every platform).
enum FloatBits {
    /// The binary16 bit pattern of `d` when it is exactly representable, else nil.
    static func exactHalf(_ d: Double) -> UInt16? {
        if d.isInfinite { return d < 0 ? 0xfc00 : 0x7c00 }
        if d == 0 { return d.sign == .minus ? 0x8000 : 0x0000 }
        let sign: UInt16 = d.sign == .minus ? 0x8000 : 0
        let a = abs(d)
        let e = a.exponent  // unbiased, a = significand * 2^e with significand in [1, 2)
        if e >= -14 && e <= 15 {
            // Normal half: 10 fraction bits.
            let scaled = a.significand * 1024  // in [1024, 2048)
            guard let whole = UInt16(exactly: scaled) else { return nil }
            let frac = whole - 1024
            return sign | UInt16(e + 15) << 10 | frac
        }
        if e < -14 && e >= -24 {
            // Subnormal half: value = m * 2^-24, m in 1..1023.
            let m = a * 16_777_216  // 2^24
            guard let whole = UInt16(exactly: m), whole >= 1, whole < 1024 else { return nil }
            return sign | whole
        }
        return nil
    }

    /// Double value of a binary16 bit pattern.
    static func halfToDouble(_ h: UInt16) -> Double {
        let sign: Double = (h & 0x8000) != 0 ? -1 : 1
        let exp = Int((h >> 10) & 0x1f)
        let frac = Double(h & 0x3ff)
        switch exp {
        case 0: return sign * frac * 0x1p-24
        case 31: return frac == 0 ? sign * .infinity : .nan
        default: return sign * (1 + frac / 1024) * Double(sign: .plus, exponent: exp - 15, significand: 1)
        }
    }
}
