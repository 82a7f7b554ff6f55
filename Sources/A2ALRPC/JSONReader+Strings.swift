/// String values of the reader: the fast path for strings without escapes, escape decoding,
/// and UTF-8 validation.
extension JSONReader {
    /// Reads a string whose opening quote is already consumed. The common case, no escapes,
    /// becomes a String straight from the input bytes.
    mutating func string() throws(JSONParseError) -> String {
        let start = i
        var j = i
        while true {
            j = ByteScan.firstSpecial(p, from: j, stopAtNonASCII: true)
            guard j < end else { break }
            let c = p[j]
            if c == Byte.quote {
                let s = String(decoding: UnsafeBufferPointer(rebasing: p[start..<j]), as: UTF8.self)
                i = j + 1
                lastStringEscaped = false
                return s
            }
            i = j
            if c == Byte.backslash { return try escapedString(from: start) }
            if c < 0x20 { throw fail("control character \(describe(c)) in string must be escaped") }
            try skipUTF8Sequence()
            j = i
        }
        throw JSONParseError(offset: start - 1, reason: "unterminated string")
    }

    /// The slow path: copies what was scanned so far and decodes escapes into a buffer.
    private mutating func escapedString(from start: Int) throws(JSONParseError) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(i - start + 16)
        out.append(contentsOf: UnsafeBufferPointer(rebasing: p[start..<i]))
        while i < end {
            let c = p[i]
            if c == Byte.quote {
                i += 1
                lastStringEscaped = true
                return String(decoding: out, as: UTF8.self)
            }
            if c == Byte.backslash {
                try escape(into: &out)
            } else if c < 0x20 {
                throw fail("control character \(describe(c)) in string must be escaped")
            } else if c < 0x80 {
                out.append(c)
                i += 1
            } else {
                let seqStart = i
                try skipUTF8Sequence()
                out.append(contentsOf: UnsafeBufferPointer(rebasing: p[seqStart..<i]))
            }
        }
        throw JSONParseError(offset: start - 1, reason: "unterminated string")
    }

    private mutating func escape(into out: inout [UInt8]) throws(JSONParseError) {
        let at = i
        i += 1
        guard i < end else { throw JSONParseError(offset: at, reason: "unterminated escape in string") }
        let c = p[i]
        i += 1
        switch c {
        case Byte.quote: out.append(Byte.quote)
        case Byte.backslash: out.append(Byte.backslash)
        case Byte.slash: out.append(Byte.slash)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try hex4(escapeAt: at)
            var scalar = UInt32(unit)
            if (0xD800...0xDBFF).contains(unit) {
                // A high surrogate must be followed at once by an escaped low surrogate.
                guard end - i >= 2, p[i] == Byte.backslash, p[i + 1] == UInt8(ascii: "u") else {
                    throw JSONParseError(offset: at, reason: "lone surrogate \\u\(hexText(unit)) in string (a high surrogate must be followed by a low one)")
                }
                let lowAt = i
                i += 2
                let low = try hex4(escapeAt: lowAt)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw JSONParseError(offset: at, reason: "lone surrogate \\u\(hexText(unit)) in string (followed by \\u\(hexText(low)), not a low surrogate)")
                }
                scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(unit) {
                throw JSONParseError(offset: at, reason: "lone surrogate \\u\(hexText(unit)) in string (a low surrogate without a high one)")
            }
            appendUTF8(scalar, to: &out)
        default:
            throw JSONParseError(offset: at, reason: "invalid escape '\\\(printable(c))' in string")
        }
    }

    /// Four hex digits after "\u"; `escapeAt` is the backslash, for the error position.
    private mutating func hex4(escapeAt: Int) throws(JSONParseError) -> UInt16 {
        guard end - i >= 4 else { throw JSONParseError(offset: escapeAt, reason: "\\u escape needs four hex digits") }
        var v: UInt16 = 0
        for _ in 0..<4 {
            let c = p[i]
            let d: UInt8
            switch c {
            case Byte.zero...Byte.nine: d = c - Byte.zero
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: throw JSONParseError(offset: escapeAt, reason: "\\u escape needs four hex digits")
            }
            v = v << 4 | UInt16(d)
            i += 1
        }
        return v
    }

    private func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            out.append(UInt8(scalar))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | scalar >> 6))
            out.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | scalar >> 12))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        default:
            out.append(UInt8(0xF0 | scalar >> 18))
            out.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// Validates one multi-byte UTF-8 sequence starting at `i` (a byte >= 0x80) and steps
    /// over it. Refuses overlong forms, encoded surrogates and code points past U+10FFFF
    /// (the Unicode table 3-7 ranges), so every String we build is exactly what was sent.
    private mutating func skipUTF8Sequence() throws(JSONParseError) {
        let lead = p[i]
        let length: Int
        var secondLow: UInt8 = 0x80
        var secondHigh: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondLow = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondHigh = 0x9F
        case 0xF0: length = 4; secondLow = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondHigh = 0x8F
        default: throw fail("invalid UTF-8 byte 0x\(hexText(UInt16(lead), digits: 2)) in string")
        }
        guard end - i >= length else { throw fail("truncated UTF-8 sequence in string") }
        let second = p[i + 1]
        guard second >= secondLow && second <= secondHigh else {
            throw fail("invalid UTF-8 sequence in string")
        }
        for k in 2..<max(length, 2) where p[i + k] & 0xC0 != 0x80 {
            throw fail("invalid UTF-8 sequence in string")
        }
        i += length
    }
}
