/// Packing byte strings into big-endian machine words, so fixed-size identifiers live inline
/// (no heap allocation per value) and compare and XOR a word at a time.
@usableFromInline
enum BigEndianWords {
    /// The big-endian UInt64 at `offset` of `bytes` (which must hold 8 bytes from there).
    @inlinable @inline(__always)
    static func load64<C: RandomAccessCollection>(_ bytes: C, _ offset: Int) -> UInt64 where C.Element == UInt8, C.Index == Int {
        var v: UInt64 = 0
        let base = bytes.startIndex + offset
        for i in 0..<8 { v = v << 8 | UInt64(bytes[base + i]) }
        return v
    }

    @inlinable @inline(__always)
    static func load32<C: RandomAccessCollection>(_ bytes: C, _ offset: Int) -> UInt32 where C.Element == UInt8, C.Index == Int {
        var v: UInt32 = 0
        let base = bytes.startIndex + offset
        for i in 0..<4 { v = v << 8 | UInt32(bytes[base + i]) }
        return v
    }

    @inlinable @inline(__always)
    static func append(_ v: UInt64, to out: inout [UInt8]) {
        for s in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: v >> UInt64(s))) }
    }
}
