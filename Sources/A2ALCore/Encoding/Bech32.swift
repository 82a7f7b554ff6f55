/// Bech32 (BIP-173) and Bech32m (BIP-350), with the decoding rules of Go's btcutil `bech32.Decode`,
/// which the Go A2AL code uses for Paralism addresses: at most 90 characters, either checksum
/// constant accepted, HRP returned in lowercase.
///
/// Data values are 5-bit groups; segwit framing (witness version, program length) is *not*
/// applied here — A2AL does not use it (docs/protocol.md §1.4.3).
public enum Bech32 {
    public enum Variant: Sendable, Equatable {
        /// BIP-173, checksum constant 1.
        case bech32
        /// BIP-350, checksum constant 0x2bc830a3.
        case bech32m

        var constant: UInt32 { self == .bech32 ? 1 : 0x2BC8_30A3 }
    }

    public enum DecodeError: Error, Sendable, Equatable {
        /// Shorter than 8 or longer than 90 characters.
        case badLength(Int)
        /// A character outside ASCII 33…126, or a data character outside the Bech32 charset.
        case badCharacter
        /// Both upper- and lowercase letters.
        case mixedCase
        /// No '1', an empty HRP, or fewer than 6 characters after the last '1'.
        case badSeparator
        /// Checksum matches neither Bech32 nor Bech32m.
        case badChecksum
    }

    public static let maxLength = 90

    private static let charset: [UInt8] = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)

    /// Lowercase ASCII → 5-bit value, 0xFF outside the charset.
    private static let charsetValue: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in charset.enumerated() { table[Int(c)] = UInt8(i) }
        return table
    }()

    /// The BCH checksum polynomial over GF(32), per BIP-173.
    private static func polymod(_ values: [UInt8]) -> UInt32 {
        let generator: [UInt32] = [0x3B6A_57B2, 0x2650_8E6D, 0x1EA1_19FA, 0x3D42_33DD, 0x2A14_62B3]
        var chk: UInt32 = 1
        for v in values {
            let top = chk >> 25
            chk = ((chk & 0x1FF_FFFF) << 5) ^ UInt32(v)
            for i in 0..<5 where (top >> UInt32(i)) & 1 == 1 { chk ^= generator[i] }
        }
        return chk
    }

    /// The HRP as checksummed: high 3 bits of each character, a zero, then the low 5 bits.
    private static func expand(_ hrp: [UInt8]) -> [UInt8] {
        hrp.map { $0 >> 5 } + [0] + hrp.map { $0 & 31 }
    }

    /// Encodes 5-bit `data` under a lowercase `hrp`. Returns nil when the HRP is empty, has a
    /// character outside ASCII 33…126 or an uppercase letter, or a data value is ≥ 32.
    /// Like btcutil, the 90-character limit is not applied when encoding.
    public static func encode(hrp: String, data: [UInt8], variant: Variant = .bech32) -> String? {
        let h = Array(hrp.utf8)
        guard !h.isEmpty,
              h.allSatisfy({ (33...126).contains($0) && !(65...90).contains($0) }),
              data.allSatisfy({ $0 < 32 }) else { return nil }
        let mod = polymod(expand(h) + data + [0, 0, 0, 0, 0, 0]) ^ variant.constant
        var out = h + [UInt8(ascii: "1")]
        for v in data { out.append(charset[Int(v)]) }
        for i in 0..<6 { out.append(charset[Int((mod >> UInt32(5 * (5 - i))) & 31)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes a Bech32 or Bech32m string. The HRP is everything before the *last* '1'; the
    /// returned data excludes the 6 checksum characters.
    public static func decode(_ text: String) throws(DecodeError)
        -> (hrp: String, data: [UInt8], variant: Variant)
    {
        var s = Array(text.utf8)
        guard s.count >= 8, s.count <= maxLength else { throw .badLength(s.count) }

        var hasLower = false, hasUpper = false
        for c in s {
            guard (33...126).contains(c) else { throw .badCharacter }
            hasLower = hasLower || (97...122).contains(c)
            hasUpper = hasUpper || (65...90).contains(c)
        }
        guard !(hasLower && hasUpper) else { throw .mixedCase }
        // The checksum is defined over the lowercase form.
        if hasUpper { s = s.map { (65...90).contains($0) ? $0 + 32 : $0 } }

        guard let sep = s.lastIndex(of: UInt8(ascii: "1")), sep >= 1, sep + 7 <= s.count else {
            throw .badSeparator
        }
        let hrp = Array(s[..<sep])
        var values: [UInt8] = []
        values.reserveCapacity(s.count - sep - 1)
        for c in s[(sep + 1)...] {
            let v = charsetValue[Int(c)]
            guard v != 0xFF else { throw .badCharacter }
            values.append(v)
        }

        let variant: Variant
        switch polymod(expand(hrp) + values) {
        case Variant.bech32.constant: variant = .bech32
        case Variant.bech32m.constant: variant = .bech32m
        default: throw .badChecksum
        }
        return (String(decoding: hrp, as: UTF8.self), Array(values.dropLast(6)), variant)
    }

    /// Regroups a sequence of `from`-bit values into `to`-bit values, most significant bit first
    /// (btcutil `ConvertBits`). With `pad`, a final partial group is zero-filled and emitted.
    /// Without it, leftover bits are dropped but must number at most 4 and be all zero —
    /// btcutil's rule, which is what makes a 21-byte payload round-trip through 34 groups.
    /// Returns nil for bit widths outside 1…8, an input value that does not fit in `from` bits
    /// (btcutil silently truncates those; no Bech32 decode can produce one), or bad padding.
    public static func convertBits(_ data: [UInt8], from: Int, to: Int, pad: Bool) -> [UInt8]? {
        guard (1...8).contains(from), (1...8).contains(to) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(data.count * from / to + 1)
        var acc: UInt32 = 0      // pending bits, right-aligned
        var bits = 0             // how many pending bits
        let mask = UInt32(1 << to) - 1
        for value in data {
            guard Int(value) >> from == 0 else { return nil }
            acc = (acc << UInt32(from)) | UInt32(value)
            bits += from
            while bits >= to {
                bits -= to
                out.append(UInt8((acc >> UInt32(bits)) & mask))
            }
            acc &= (1 << UInt32(bits)) - 1   // keep only the pending bits; acc stays small
        }
        if bits > 0 {
            let rest = acc & ((1 << UInt32(bits)) - 1)
            if pad {
                out.append(UInt8((rest << UInt32(to - bits)) & mask))
            } else if bits > 4 || rest != 0 {
                return nil
            }
        }
        return out
    }
}
