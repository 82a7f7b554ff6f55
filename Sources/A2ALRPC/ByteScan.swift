/// Finds the next byte of a JSON string that needs attention: '"', '\' or a control
/// character (and, for the parser, the lead byte of a multi-byte UTF-8 sequence, which must be
/// validated). Strings are most of what JSON-RPC carries and nearly all of their bytes are
/// plain, so this checks eight bytes per step with word arithmetic (the "has a zero byte"
/// trick) and only the last few bytes one at a time.
enum ByteScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// The index of the first such byte at or after `start`, or `bytes.count` if there is none.
    @inline(__always)
    static func firstSpecial(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, stopAtNonASCII: Bool) -> Int {
        let count = bytes.count
        var j = start
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while j + 8 <= count {
                // Little-endian order, so the lowest set bit below is the earliest byte.
                let x = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: j, as: UInt64.self))
                let quote = x ^ (ones &* 0x22)
                let backslash = x ^ (ones &* 0x5C)
                // Each term sets a byte's high bit when that byte is below 0x20 / zero. Borrows
                // can only add false hits above a true one, so the lowest hit is exact.
                var special = ((x &- ones &* 0x20) & ~x) | ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
                if stopAtNonASCII { special |= x }
                let hits = special & highBits
                if hits != 0 { return j + hits.trailingZeroBitCount >> 3 }
                j += 8
            }
        }
        while j < count {
            let c = bytes[j]
            if c < 0x20 || c == 0x22 || c == 0x5C || (stopAtNonASCII && c >= 0x80) { return j }
            j += 1
        }
        return count
    }
}
