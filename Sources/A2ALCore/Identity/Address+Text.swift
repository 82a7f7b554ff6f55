/// Why an address string was rejected (docs/protocol.md §1.4).
///
/// Once a codec has claimed a string (by its prefix and length), its failure is final: there is
/// no fall-through to another form, exactly as in the Go implementation.
public enum AddressTextError: Error, Equatable, Sendable {
    /// The text form that claimed the string.
    public enum Form: String, Sendable, Equatable {
        /// 42 hex characters of all 21 bytes, SHA-256 mixed-case checksum (§1.4.1).
        case native
        /// "0x" + 40 hex characters of hash20, EIP-55 checksum (§1.4.2).
        case ethereum
        /// Bitcoin Base58Check P2PKH (§1.4.3).
        case paralismBase58
        /// A2AL's single-regrouping Bech32 with HRP "bc" or "pr" (§1.4.3).
        case paralismBech32
    }

    /// Nothing but whitespace.
    case empty
    /// No codec claims the string (wrong length, or not hex where hex is the only option).
    case unrecognizedForm
    /// A claimed string with the wrong length for its form.
    case badLength(Form)
    /// A character outside the form's alphabet (for Bech32 also a misplaced '1' separator).
    case badCharacter(Form)
    /// A Bech32 string mixing upper- and lowercase letters.
    case mixedCase
    /// Checksum mismatch; for hex forms this includes any mixed case that is neither
    /// the exact checksummed spelling nor all lowercase (so all-uppercase is rejected).
    case badChecksum(Form)
    /// A native-hex address whose version byte lies outside 0xA0…0xAF.
    case versionOutOfRange(UInt8)
    /// A Bech32 human-readable part other than "bc" or "pr" (lowercased).
    case badBech32HRP(String)
    /// Well-formed and checksummed, but not 0x00 || 20 bytes (Base58 version byte ≠ 0x00,
    /// wrong payload length, or Bech32 data that does not regroup to exactly 21 bytes
    /// starting with 0x00 — e.g. a standard BIP-173 P2WPKH string).
    case badPayload(Form)
}

extension Address: CustomStringConvertible {
    /// The canonical text form, chosen by version byte (docs/protocol.md §1.4):
    /// 0xA3 → "0x" + EIP-55 hex of hash20; 0xA2 → A2AL Bech32 with HRP "bc";
    /// every other byte (including out-of-range ones) → native checksummed hex.
    public var text: String {
        switch version {
        case Version.ethereum.rawValue:
            return "0x" + Address.checksummedHex(Array(hash20), digest: Keccak256.hash)
        case Version.paralism.rawValue:
            // 8→5 regrouping of 0x00 || hash20 *with* padding: 168 bits → 34 groups.
            // Both calls succeed for any 20 bytes (fixed valid HRP, 8-bit input); the native
            // fallback only keeps this path free of force-unwraps.
            if let groups = Bech32.convertBits([0] + Array(hash20), from: 8, to: 5, pad: true),
               let s = Bech32.encode(hrp: "bc", data: groups, variant: .bech32) {
                return s
            }
            return Address.checksummedHex(bytes, digest: SHA256.hash)
        default:
            return Address.checksummedHex(bytes, digest: SHA256.hash)
        }
    }

    public var description: String { text }

    /// Parses any text form of docs/protocol.md §1.4, after trimming surrounding Unicode
    /// whitespace. Lengths are counted in UTF-8 bytes, as Go's `len` does.
    public init(text: String) throws(AddressTextError) {
        let s = Array(Address.trimmingWhitespace(text).utf8)
        guard !s.isEmpty else { throw .empty }

        if s.count == 42, s[0] == UInt8(ascii: "0"), s[1] == UInt8(ascii: "x") || s[1] == UInt8(ascii: "X") {
            self = try Address.parseEthereum(Array(s[2...]))
        } else if Address.hasPrefixIgnoringCase(s, "bc1") || Address.hasPrefixIgnoringCase(s, "pr1") {
            self = try Address.parseParalismBech32(String(decoding: s, as: UTF8.self))
        } else if (26...35).contains(s.count), s[0] == UInt8(ascii: "1") {
            self = try Address.parseParalismBase58(String(decoding: s, as: UTF8.self))
        } else if s.count == 42, s.allSatisfy({ Hex.nibble($0) != nil }) {
            self = try Address.parseNative(s)
        } else {
            throw .unrecognizedForm
        }
    }
}

// MARK: - Codecs

extension Address {
    /// `bytes` as lowercase hex, then each letter uppercased iff the matching nibble of
    /// `digest(lowercase hex as ASCII)` is ≥ 8 — EIP-55's rule; native uses SHA-256 over all
    /// 21 bytes, Ethereum Keccak-256 over hash20.
    static func checksummedHex(_ bytes: [UInt8], digest: ([UInt8]) -> [UInt8]) -> String {
        var chars = Array(bytes.hex.utf8)
        let h = digest(chars)
        for i in chars.indices where chars[i] >= UInt8(ascii: "a") {
            let nibble = i % 2 == 0 ? h[i / 2] >> 4 : h[i / 2] & 0x0F
            if nibble >= 8 { chars[i] -= 32 }
        }
        return String(decoding: chars, as: UTF8.self)
    }

    /// Accepts the exact checksummed spelling or an all-lowercase one, nothing else.
    private static func caseIsAcceptable(_ input: [UInt8], checksummed: String) -> Bool {
        let hasUpper = input.contains { (UInt8(ascii: "A")...UInt8(ascii: "F")).contains($0) }
        return !hasUpper || input == Array(checksummed.utf8)
    }

    private static func parseNative(_ s: [UInt8]) throws(AddressTextError) -> Address {
        guard let raw = Hex.decode(String(decoding: s, as: UTF8.self)), raw.count == byteCount else {
            throw .badCharacter(.native)
        }
        guard (0xA0...0xAF).contains(raw[0]) else { throw .versionOutOfRange(raw[0]) }
        guard caseIsAcceptable(s, checksummed: checksummedHex(raw, digest: SHA256.hash)) else {
            throw .badChecksum(.native)
        }
        return Address(unchecked: raw)
    }

    /// `body` is the 40 characters after "0x"/"0X".
    private static func parseEthereum(_ body: [UInt8]) throws(AddressTextError) -> Address {
        guard let hash20 = Hex.decode(String(decoding: body, as: UTF8.self)), hash20.count == 20 else {
            throw .badCharacter(.ethereum)
        }
        guard caseIsAcceptable(body, checksummed: checksummedHex(hash20, digest: Keccak256.hash)) else {
            throw .badChecksum(.ethereum)
        }
        return Address(unchecked: [Version.ethereum.rawValue] + hash20)
    }

    private static func parseParalismBase58(_ s: String) throws(AddressTextError) -> Address {
        guard let raw = Base58.decode(s) else { throw .badCharacter(.paralismBase58) }
        guard raw.count >= 5 else { throw .badLength(.paralismBase58) }
        guard let (version, payload) = Base58.checkDecode(s) else { throw .badChecksum(.paralismBase58) }
        guard version == 0x00, payload.count == 20 else { throw .badPayload(.paralismBase58) }
        return Address(unchecked: [Version.paralism.rawValue] + payload)
    }

    private static func parseParalismBech32(_ s: String) throws(AddressTextError) -> Address {
        let decoded: (hrp: String, data: [UInt8], variant: Bech32.Variant)
        do {
            decoded = try Bech32.decode(s)
        } catch {
            switch error {
            case .badLength: throw .badLength(.paralismBech32)
            case .badCharacter, .badSeparator: throw .badCharacter(.paralismBech32)
            case .mixedCase: throw .mixedCase
            case .badChecksum: throw .badChecksum(.paralismBech32)
            }
        }
        guard decoded.hrp == "bc" || decoded.hrp == "pr" else { throw .badBech32HRP(decoded.hrp) }
        // All groups are regrouped as one byte string — no separate witness-version group —
        // so only A2AL's 34-group strings give 21 bytes; a 33-group P2WPKH leaves 5 bits and fails.
        guard let raw = Bech32.convertBits(decoded.data, from: 5, to: 8, pad: false),
              raw.count == byteCount, raw[0] == 0x00 else {
            throw .badPayload(.paralismBech32)
        }
        return Address(unchecked: [Version.paralism.rawValue] + raw[1...])
    }

    // MARK: Helpers

    private static func hasPrefixIgnoringCase(_ s: [UInt8], _ prefix: String) -> Bool {
        let p = Array(prefix.utf8)
        guard s.count >= p.count else { return false }
        // `prefix` is lowercase ASCII; fold only ASCII 'A'…'Z' so no other byte can alias.
        return zip(s, p).allSatisfy { a, b in
            (65...90).contains(a) ? a | 0x20 == b : a == b
        }
    }

    /// Go's `strings.TrimSpace`: both use the Unicode White_Space property.
    private static func trimmingWhitespace(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
