import Testing
@testable import A2ALCore

/// Bytes 0, 1, 2, … mod 251: a pattern without period 2^k, so block-boundary bugs show.
private func pattern(_ n: Int) -> [UInt8] { (0..<n).map { UInt8($0 % 251) } }
private func ascii(_ s: String) -> [UInt8] { Array(s.utf8) }

// MARK: - Keccak-256

@Suite struct Keccak256Tests {
    @Test func emptyAndABC() {
        #expect(Keccak256.hash([]).hex == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        #expect(Keccak256.hash(ascii("abc")).hex == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
    }

    /// Not NIST SHA3-256 (whose digest of "" is a7ffc6f8…): the padding byte is 0x01.
    @Test func isNotSHA3() {
        #expect(!Keccak256.hash([]).hex.hasPrefix("a7ffc6f8"))
    }

    /// Ethereum address of private key 1: Keccak-256(X‖Y of G)[12:32].
    @Test func ethereumAddressOfGenerator() {
        let xy = [UInt8](hex: "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
            + "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8") ?? []
        #expect(xy.count == 64)
        #expect(Array(Keccak256.hash(xy)[12...]).hex == "7e5f4552091a69125d5dfcb7b8c2659029395bdf")
    }

    /// Lengths around the 136-byte rate (values cross-checked with an independent Keccak).
    @Test(arguments: [
        (135, "cbdfd9dee5faad3818d6b06f95a219fd290b0e1706f6a82e5a595b9ce9faca62"),
        (136, "7ce759f1ab7f9ce437719970c26b0a66ff11fe3e38e17df89cf5d29c7d7f807e"),
        (137, "ac73d4fae68b8453f764007c1a20ce95994187861f0c3227a3a8e99a73a3b1db"),
        (272, "8e2476e65823b24d96ebe239f2c1534cdf763e689e2410c3b1cb0c74e6177bfc"),
        (1000, "af692982e84a5a9688359025660a7857cd28ee7c8d867cfa1677baf2e6d1f63b"),
    ])
    func blockBoundaries(length: Int, digest: String) {
        #expect(Keccak256.hash(pattern(length)).hex == digest)
    }
}

// MARK: - RIPEMD-160 / HASH160

@Suite struct RIPEMD160Tests {
    /// The published vectors from the RIPEMD-160 paper.
    @Test(arguments: [
        ("", "9c1185a5c5e9fc54612808977ee8f548b2258d31"),
        ("a", "0bdc9d2d256b3ee9daae347be6f4dc835a467ffe"),
        ("abc", "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"),
        ("message digest", "5d0689ef49d2fae572b881b123a85ffa21595f36"),
        ("abcdefghijklmnopqrstuvwxyz", "f71c27109c692c1b56bbdceb5b9d2865b3708dbc"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "12a053384a9c0c88e405a06c27dcf49ada62eb2b"),
        (String(repeating: "1234567890", count: 8), "9b752e45573d4b39f4dbd3323cab82bf63326bfb"),
    ])
    func published(message: String, digest: String) {
        #expect(RIPEMD160.hash(ascii(message)).hex == digest)
    }

    @Test func millionA() {
        #expect(RIPEMD160.hash([UInt8](repeating: 0x61, count: 1_000_000)).hex
            == "52783243c1697bdbe16d37f97f68f08325dc1528")
    }

    /// Lengths around the 56-byte padding threshold and the 64-byte block.
    @Test(arguments: [
        (55, "3c86963b3ff646a65ae42996e9664c747cc7e5e6"),
        (56, "ebdd79cfd4fd9949ef8089673d2620427f487cfb"),
        (63, "6d31d3d634b4a7aa15914c239576eb1956f2d9a4"),
        (64, "2581f5e9f957b44b0fa24d31996de47409dd1e0f"),
        (65, "109949b95341eeea7365e8ac4d0d3883d98f709a"),
        (1000, "6864b0b9f86a879be2680824c81dbce9c5350281"),
    ])
    func blockBoundaries(length: Int, digest: String) {
        #expect(RIPEMD160.hash(pattern(length)).hex == digest)
    }

    /// HASH160 of the compressed secp256k1 generator (private key 1), as in docs/protocol.md
    /// §1.4.3.
    @Test func hash160OfGenerator() {
        let pub = [UInt8](hex: "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798") ?? []
        #expect(Hash160.hash(pub).hex == "751e76e8199196d454941c45d1b3a323f1433bd6")
    }
}

// MARK: - Base58 / Base58Check

@Suite struct Base58Tests {
    /// Bitcoin Core's base58_encode_decode vectors.
    @Test(arguments: [
        ("", ""),
        ("61", "2g"),
        ("626262", "a3gV"),
        ("636363", "aPEr"),
        ("73696d706c792061206c6f6e6720737472696e67", "2cFupjhnEsSn59qHXstmK2ffpLv2"),
        ("00eb15231dfceb60925886b67d065299925915aeb172c06647", "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L"),
        ("516b6fcd0f", "ABnLTmg"),
        ("bf4f89001e670274dd", "3SEo3LWLoPntC"),
        ("572e4794", "3EFU7m"),
        ("ecac89cad93923c02321", "EJDM8drfXA6uyA"),
        ("10c8511e", "Rt5zm"),
        ("00000000000000000000", "1111111111"),
    ])
    func roundTrip(hex: String, text: String) {
        let bytes = [UInt8](hex: hex) ?? [0xEE]
        #expect(Base58.encode(bytes) == text)
        #expect(Base58.decode(text) == bytes)
    }

    @Test(arguments: ["0", "O", "I", "l", "abc+", "3SEo3LWLo PntC", "é"])
    func rejectsCharactersOutsideAlphabet(text: String) {
        #expect(Base58.decode(text) == nil)
    }

    @Test func boundsHostileLength() {
        #expect(Base58.decode(String(repeating: "z", count: Base58.maxDecodeLength)) != nil)
        #expect(Base58.decode(String(repeating: "z", count: Base58.maxDecodeLength + 1)) == nil)
        #expect(Base58.checkDecode(String(repeating: "1", count: 10_000)) == nil)
    }

    @Test func checkEncodeVectors() {
        #expect(Base58.checkEncode(version: 0, payload: [UInt8](repeating: 1, count: 20))
            == "16Jswqk47s9PUcyCc88MMVwzgvHPvtEpf")
        let h = [UInt8](hex: "751e76e8199196d454941c45d1b3a323f1433bd6") ?? []
        #expect(Base58.checkEncode(version: 0, payload: h) == "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH")
        // P2SH version 5 of the same payload (leading '3' is the version's signature).
        #expect(Base58.checkEncode(version: 5, payload: h).hasPrefix("3"))
    }

    @Test func checkDecodeVectors() {
        let decoded = Base58.checkDecode("1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH")
        #expect(decoded?.version == 0)
        #expect(decoded?.payload.hex == "751e76e8199196d454941c45d1b3a323f1433bd6")
        let roundTrip = Base58.checkDecode(Base58.checkEncode(version: 0x6F, payload: [1, 2, 3]))
        #expect(roundTrip?.version == 0x6F)
        #expect(roundTrip?.payload == [1, 2, 3])
    }

    @Test func checkDecodeRejectsFlippedChecksumAndShortInput() {
        // Last character changed: the trailing checksum byte no longer matches.
        #expect(Base58.checkDecode("1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMJ") == nil)
        // Flip one checksum bit at the byte level.
        var raw = Base58.decode("16Jswqk47s9PUcyCc88MMVwzgvHPvtEpf") ?? []
        #expect(raw.count == 25)
        raw[24] ^= 0x01
        #expect(Base58.checkDecode(Base58.encode(raw)) == nil)
        // Fewer than version + 4 checksum bytes.
        #expect(Base58.checkDecode("") == nil)
        #expect(Base58.checkDecode("1111") == nil)
    }
}

// MARK: - Bech32 / Bech32m

@Suite struct Bech32Tests {
    /// BIP-173 valid Bech32 strings.
    @Test(arguments: [
        "A12UEL5L",
        "a12uel5l",
        "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
        "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
        "11" + String(repeating: "q", count: 82) + "c8247j",  // exactly 90 characters
        "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
        "?1ezyfcl",
    ])
    func validBech32(text: String) throws {
        let d = try Bech32.decode(text)
        #expect(d.variant == .bech32)
        // Re-encoding the lowercase form reproduces it exactly.
        #expect(Bech32.encode(hrp: d.hrp, data: d.data, variant: .bech32) == text.lowercased())
    }

    /// BIP-350 valid Bech32m strings: btcutil's decoder (and so A2AL) accepts these too.
    @Test(arguments: [
        "A1LQFN3A",
        "a1lqfn3a",
        "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
        "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
        "11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8",
        "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
        "?1v759aa",
    ])
    func validBech32m(text: String) throws {
        let d = try Bech32.decode(text)
        #expect(d.variant == .bech32m)
        #expect(Bech32.encode(hrp: d.hrp, data: d.data, variant: .bech32m) == text.lowercased())
    }

    @Test func hrpIsLowercased() throws {
        #expect(try Bech32.decode("A12UEL5L").hrp == "a")
        #expect(try Bech32.decode("A12UEL5L").data.isEmpty)
    }

    /// BIP-173 and BIP-350 invalid strings, with the reason btcutil's order of checks gives.
    @Test(arguments: [
        ("\u{20}1nwldj5", Bech32.DecodeError.badCharacter),
        ("\u{7F}1axkwrx", .badCharacter),
        ("\u{80}1eym55h", .badCharacter),
        ("an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx", .badLength(91)),
        ("pzry9x0s0muk", .badSeparator),
        ("1pzry9x0s0muk", .badSeparator),
        ("x1b4n0q5v", .badCharacter),
        ("li1dgmt3", .badSeparator),
        ("de1lg7wt\u{FF}", .badCharacter),
        ("A1G7SGD8", .badChecksum),
        ("10a06t8", .badLength(7)),
        ("1qzzfhee", .badSeparator),
        ("qyrz8wqd2c9m", .badSeparator),
        ("1qyrz8wqd2c9m", .badSeparator),
        ("y1b0jsk6g", .badCharacter),
        ("lt1igcx5c0", .badCharacter),
        ("in1muywd", .badSeparator),
        ("mm1crxm3i", .badCharacter),
        ("au1s5cgom", .badCharacter),
        ("M1VUXWEZ", .badChecksum),
        ("16plkw9", .badLength(7)),
        ("1p2gdwpf", .badSeparator),
        ("A12uEL5L", .mixedCase),
    ])
    func invalid(text: String, reason: Bech32.DecodeError) {
        #expect(throws: reason) { try Bech32.decode(text) }
    }

    @Test func encodeRejectsBadInput() {
        #expect(Bech32.encode(hrp: "", data: []) == nil)
        #expect(Bech32.encode(hrp: "BC", data: []) == nil)
        #expect(Bech32.encode(hrp: "b c", data: []) == nil)
        #expect(Bech32.encode(hrp: "bc", data: [32]) == nil)
    }

    @Test func convertBitsPadding() {
        // 21 bytes = 168 bits → 34 groups with padding (2 zero bits added) …
        let bytes = [UInt8](0..<21)
        let groups = Bech32.convertBits(bytes, from: 8, to: 5, pad: true) ?? []
        #expect(groups.count == 34)
        // … and back without padding: 2 leftover zero bits are allowed and dropped.
        #expect(Bech32.convertBits(groups, from: 5, to: 8, pad: false) == bytes)
        // 33 groups = 165 bits → 20 bytes + 5 leftover bits: more than 4, rejected.
        #expect(Bech32.convertBits(Array(groups.prefix(33)), from: 5, to: 8, pad: false) == nil)
        // Non-zero leftover bits are rejected.
        var dirty = groups
        dirty[33] |= 1
        #expect(Bech32.convertBits(dirty, from: 5, to: 8, pad: false) == nil)
        // Values wider than the source width and bad widths are rejected.
        #expect(Bech32.convertBits([32], from: 5, to: 8, pad: true) == nil)
        #expect(Bech32.convertBits([1], from: 0, to: 8, pad: true) == nil)
        #expect(Bech32.convertBits([1], from: 8, to: 9, pad: true) == nil)
        #expect(Bech32.convertBits([], from: 8, to: 5, pad: false) == [])
        #expect(Bech32.convertBits([0xFF], from: 8, to: 5, pad: true) == [31, 28])
    }
}
