/// Bitcoin Base58 (alphabet without 0, O, I, l) and Base58Check.
///
/// Conversion is quadratic in the length, so decoding refuses strings longer than
/// `maxDecodeLength`: text from the network or a user must not buy unbounded CPU.
public enum Base58 {
    /// Longest string `decode` will look at; a Bitcoin address is at most 35 characters.
    public static let maxDecodeLength = 128

    private static let alphabet: [UInt8] = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)

    /// ASCII → digit value, 0xFF for characters outside the alphabet.
    private static let digitValue: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = UInt8(i) }
        return table
    }()

    /// Base58 text of `bytes`; each leading zero byte becomes a leading '1'.
    public static func encode(_ bytes: [UInt8]) -> String {
        let zeros = bytes.prefix(while: { $0 == 0 }).count
        // Base-58 digits, least significant first, built by repeated multiply-and-add.
        var digits: [UInt8] = []
        digits.reserveCapacity(bytes.count * 138 / 100 + 1)  // log(256)/log(58) ≈ 1.37
        for byte in bytes[zeros...] {
            var carry = Int(byte)
            for i in 0..<digits.count {
                carry += Int(digits[i]) << 8
                digits[i] = UInt8(carry % 58)
                carry /= 58
            }
            while carry > 0 {
                digits.append(UInt8(carry % 58))
                carry /= 58
            }
        }
        var out = [UInt8](repeating: alphabet[0], count: zeros)
        out.reserveCapacity(zeros + digits.count)
        for d in digits.reversed() { out.append(alphabet[Int(d)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Bytes of Base58 `text`; nil for a character outside the alphabet or text longer than
    /// `maxDecodeLength`. The empty string decodes to no bytes.
    public static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count <= maxDecodeLength else { return nil }
        let ones = chars.prefix(while: { $0 == alphabet[0] }).count
        // Base-256 bytes, least significant first.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(chars.count)
        for c in chars[ones...] {
            let value = digitValue[Int(c)]
            guard value != 0xFF else { return nil }
            var carry = Int(value)
            for i in 0..<bytes.count {
                carry += Int(bytes[i]) * 58
                bytes[i] = UInt8(carry & 0xFF)
                carry >>= 8
            }
            while carry > 0 {
                bytes.append(UInt8(carry & 0xFF))
                carry >>= 8
            }
        }
        return [UInt8](repeating: 0, count: ones) + bytes.reversed()
    }

    /// First four bytes of SHA-256(SHA-256(data)): the Base58Check checksum.
    public static func checksum(_ data: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(SHA256.hash(data)).prefix(4))
    }

    /// Base58Check: Base58 of version || payload || checksum(version || payload).
    public static func checkEncode(version: UInt8, payload: [UInt8]) -> String {
        let body = [version] + payload
        return encode(body + checksum(body))
    }

    /// Inverse of `checkEncode`; nil when the text is not Base58, is shorter than a version
    /// byte plus checksum, or the checksum does not match.
    public static func checkDecode(_ text: String) -> (version: UInt8, payload: [UInt8])? {
        guard let raw = decode(text), raw.count >= 5 else { return nil }
        let body = Array(raw.dropLast(4))
        guard checksum(body) == Array(raw.suffix(4)) else { return nil }
        return (body[0], Array(body.dropFirst()))
    }
}
