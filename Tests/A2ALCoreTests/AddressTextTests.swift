import Foundation
import Testing
@testable import A2ALCore

private func address(_ hex: String) throws -> Address {
    let bytes = try #require([UInt8](hex: hex))
    return try #require(Address(bytes: bytes))
}

private func repeated(_ byteHex: String, _ n: Int) -> String { String(repeating: byteHex, count: n) }

// MARK: - docs/protocol.md §1.4.1 native form

@Suite struct NativeFormTests {
    /// The worked examples of §1.4.1.
    @Test(arguments: [
        ("a0" + repeated("ab", 20), "A0abaBABAbabAbaBABAbaBaBaBabaBaBAbaBABABAB"),
        ("a0" + repeated("cd", 20), "a0CdcdcdcDcdCdCdcDcDCdCDCdCdcdCDCdCdCdcdCD"),
        ("a0" + repeated("ef", 20), "A0EfEfefEFefEfefefefEFEfEFeFEFefEfEfEFefef"),
        ("a021fe31dfa154a261626bf854046fd2271b7bed4b", "a021fE31dfA154A261626BF854046FD2271b7Bed4b"),
        ("a1" + repeated("00", 20), "A10000000000000000000000000000000000000000"),
    ])
    func workedExamples(hex: String, text: String) throws {
        let a = try address(hex)
        #expect(a.text == text)
        #expect(a.description == text)
        #expect(try Address(text: text) == a)
        // The all-lowercase spelling is accepted too.
        #expect(try Address(text: text.lowercased()) == a)
    }

    @Test func allUppercaseIsRejected() {
        #expect(throws: AddressTextError.badChecksum(.native)) {
            try Address(text: "A0ABABABABABABABABABABABABABABABABABABABAB")
        }
        #expect(throws: AddressTextError.badChecksum(.native)) {
            try Address(text: "A021FE31DFA154A261626BF854046FD2271B7BED4B")
        }
    }

    /// Flipping the case of one letter of a checksummed string breaks the checksum.
    @Test func singleCaseFlipIsRejected() {
        let good = Array("a021fE31dfA154A261626BF854046FD2271b7Bed4b")
        for i in good.indices where good[i].isLetter {
            var bad = good
            bad[i] = Character(good[i].isUppercase ? good[i].lowercased() : good[i].uppercased())
            let text = String(bad)
            if text == text.lowercased() { continue }  // all-lowercase is legitimately accepted
            #expect(throws: AddressTextError.badChecksum(.native)) { try Address(text: text) }
        }
    }

    @Test func versionOutOfRange() {
        #expect(throws: AddressTextError.versionOutOfRange(0x99)) {
            try Address(text: "99" + repeated("00", 20))
        }
        #expect(throws: AddressTextError.versionOutOfRange(0xB0)) {
            try Address(text: "b0" + repeated("00", 20))
        }
        #expect(throws: AddressTextError.versionOutOfRange(0x9F)) {
            try Address(text: "9f" + repeated("00", 20))
        }
    }

    /// Any version byte formats as native hex unless it is 0xA2/0xA3, even out-of-range ones;
    /// every in-range one round-trips.
    @Test func everyVersionFormatsAndRoundTrips() throws {
        for v in UInt8(0)...UInt8(255) {
            let a = try #require(Address(version: v, hash20: (0..<20).map { UInt8($0 * 13 + 7) }))
            let text = a.text
            switch v {
            case 0xA3: #expect(text.hasPrefix("0x") && text.count == 42)
            case 0xA2: #expect(text.hasPrefix("bc1") && text.count == 43)
            default: #expect(text.count == 42 && text.lowercased() == a.bytes.hex)
            }
            if (0xA0...0xAF).contains(v) {
                #expect(try Address(text: text) == a)
            } else {
                #expect(throws: AddressTextError.versionOutOfRange(v)) { try Address(text: text) }
            }
        }
    }

    /// A native string may carry 0xA2/0xA3; it parses, but formats in the chain form.
    @Test func nativeHexOfChainVersions() throws {
        let eth = try Address(text: "a3" + repeated("00", 20))
        #expect(eth.version == 0xA3)
        #expect(eth.text == "0x0000000000000000000000000000000000000000")
        let par = try Address(text: "a2" + repeated("01", 20))
        #expect(par.text == "bc1qqqszqgpqyqszqgpqyqszqgpqyqszqgpqy6krs0r")
    }

    @Test(arguments: [
        "a0" + repeated("ab", 19) + "a",          // 41 characters
        "a0" + repeated("ab", 20) + "a",          // 43 characters
        "a0" + repeated("ab", 19) + "ag",         // 42 characters, one not hex
        "a0" + repeated("ab", 19) + "a ",         // inner content stays after trimming: 41
        "g0" + repeated("00", 20),
        "a0" + repeated("ab", 18) + "ab\u{e9}",   // 42 characters, 43 UTF-8 bytes
        "xyz",
    ])
    func unrecognized(text: String) {
        #expect(throws: AddressTextError.unrecognizedForm) { try Address(text: text) }
    }

    @Test func whitespaceIsTrimmed() throws {
        let a = try address("a0" + repeated("cd", 20))
        #expect(try Address(text: "  \t\n" + a.text + "\r\n ") == a)
        #expect(try Address(text: "\u{00A0}\u{3000}" + a.text + "\u{2028}") == a)
        #expect(throws: AddressTextError.empty) { try Address(text: "") }
        #expect(throws: AddressTextError.empty) { try Address(text: " \t\n\u{00A0}") }
    }
}

// MARK: - docs/protocol.md §1.4.2 Ethereum form

@Suite struct EthereumFormTests {
    @Test func zeroAddress() throws {
        let a = try address("a3" + repeated("00", 20))
        #expect(a.text == "0x0000000000000000000000000000000000000000")
        #expect(try Address(text: "0x0000000000000000000000000000000000000000") == a)
        #expect(try Address(text: "0X0000000000000000000000000000000000000000") == a)
    }

    /// EIP-55's own examples, including the ones whose checksum is all-caps or all-lower.
    @Test(arguments: [
        "0x52908400098527886E0F7030069857D2E4169EE7",
        "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
        "0xde709f2102306220921060314715629080e2fb77",
        "0x27b1fdb04752bbc536007a920d24acb045561c26",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ])
    func eip55(text: String) throws {
        let a = try Address(text: text)
        #expect(a.version == 0xA3)
        #expect(Array(a.hash20).hex == text.dropFirst(2).lowercased())
        #expect(a.text == text)
        // The all-lowercase body is always accepted; "0X" is accepted as prefix.
        #expect(try Address(text: "0x" + text.dropFirst(2).lowercased()) == a)
        #expect(try Address(text: "0X" + text.dropFirst(2)) == a)
    }

    @Test func allUppercaseBodyIsRejected() {
        #expect(throws: AddressTextError.badChecksum(.ethereum)) {
            try Address(text: "0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED")
        }
    }

    @Test func badChecksum() {
        // Last letter's case flipped.
        #expect(throws: AddressTextError.badChecksum(.ethereum)) {
            try Address(text: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")
        }
    }

    @Test func nonHexBody() {
        #expect(throws: AddressTextError.badCharacter(.ethereum)) {
            try Address(text: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg")
        }
        #expect(throws: AddressTextError.badCharacter(.ethereum)) {
            try Address(text: "0x0x00000000000000000000000000000000000000")
        }
    }

    @Test func wrongLengthIsNotClaimed() {
        #expect(throws: AddressTextError.unrecognizedForm) {
            try Address(text: "0x000000000000000000000000000000000000000")   // 41
        }
        #expect(throws: AddressTextError.unrecognizedForm) {
            try Address(text: "0x00000000000000000000000000000000000000000") // 43
        }
    }
}

// MARK: - docs/protocol.md §1.4.3 Paralism form

@Suite struct ParalismFormTests {
    static let h42 = repeated("42", 20)

    @Test func base58P2PKH() throws {
        let a = try Address(text: "16Jswqk47s9PUcyCc88MMVwzgvHPvtEpf")
        #expect(a.bytes.hex == "a2" + repeated("01", 20))
        #expect(a.text == "bc1qqqszqgpqyqszqgpqyqszqgpqyqszqgpqy6krs0r")

        let g = try Address(text: "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH")
        #expect(g.bytes.hex == "a2751e76e8199196d454941c45d1b3a323f1433bd6")
        #expect(g.text == "bc1qp63uahgrxged4z5jswyt5dn5v3lzsem6c0qqhg8")
    }

    @Test(arguments: [
        ("a2" + repeated("01", 20), "bc1qqqszqgpqyqszqgpqyqszqgpqyqszqgpqy6krs0r"),
        ("a2" + repeated("42", 20), "bc1qppyysjzgfpyysjzgfpyysjzgfpyysjzggnj4765"),
        ("a2751e76e8199196d454941c45d1b3a323f1433bd6", "bc1qp63uahgrxged4z5jswyt5dn5v3lzsem6c0qqhg8"),
    ])
    func bech32Format(hex: String, text: String) throws {
        let a = try address(hex)
        #expect(a.text == text)
        #expect(text.count == 43)
        #expect(try Address(text: text) == a)
        #expect(try Address(text: text.uppercased()) == a)
    }

    @Test func prHRPMapsToSameAddress() throws {
        let bc = try Address(text: "bc1qppyysjzgfpyysjzgfpyysjzgfpyysjzggnj4765")
        let pr = try Address(text: "pr1qppyysjzgfpyysjzgfpyysjzgfpyysjzggh2wwar")
        #expect(bc == pr)
        #expect(pr.version == 0xA2)
        #expect(pr.text.hasPrefix("bc1"))
        #expect(try Address(text: "PR1QPPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGGH2WWAR") == bc)
    }

    /// A standard BIP-173 P2WPKH string regroups to 20 bytes + 5 bits: rejected.
    @Test func standardP2WPKHIsRejected() {
        #expect(throws: AddressTextError.badPayload(.paralismBech32)) {
            try Address(text: "bc1qgfpyysjzgfpyysjzgfpyysjzgfpyysjz5t4fq5")
        }
        // BIP-173's own P2WPKH example.
        #expect(throws: AddressTextError.badPayload(.paralismBech32)) {
            try Address(text: "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4")
        }
    }

    /// btcutil accepts a Bech32m checksum as well (docs/protocol.md §1.4.3).
    @Test func bech32mChecksumIsAccepted() throws {
        let groups = try #require(Bech32.convertBits([0] + [UInt8](repeating: 0x42, count: 20),
                                                     from: 8, to: 5, pad: true))
        let m = try #require(Bech32.encode(hrp: "bc", data: groups, variant: .bech32m))
        #expect(m != "bc1qppyysjzgfpyysjzgfpyysjzgfpyysjzggnj4765")
        #expect(try Address(text: m).bytes.hex == "a2" + Self.h42)
    }

    @Test func bech32BadChecksum() {
        // Last checksum character changed.
        #expect(throws: AddressTextError.badChecksum(.paralismBech32)) {
            try Address(text: "bc1qppyysjzgfpyysjzgfpyysjzgfpyysjzggnj4766")
        }
        // A data character changed.
        #expect(throws: AddressTextError.badChecksum(.paralismBech32)) {
            try Address(text: "bc1qppyysjzgfpyysjzgfpyysjzgfpyysjzgqnj4765")
        }
    }

    @Test func bech32Malformed() throws {
        #expect(throws: AddressTextError.mixedCase) {
            try Address(text: "bc1qppyysjzgfpyysjzgfpyysjzgfpyysjzggnj476S")
        }
        #expect(throws: AddressTextError.badCharacter(.paralismBech32)) {
            try Address(text: "bc1qppyysjzgfpyysjzgfpyysjzgfpyysjzggnj476b")
        }
        #expect(throws: AddressTextError.badLength(.paralismBech32)) {
            try Address(text: "bc1" + String(repeating: "q", count: 88))
        }
        #expect(throws: AddressTextError.badLength(.paralismBech32)) { try Address(text: "bc1qqq") }
        // The HRP ends at the *last* '1'; "bc1x" is not bc/pr.
        let other = try #require(Bech32.encode(hrp: "bc1x", data: [0, 1, 2]))
        #expect(throws: AddressTextError.badBech32HRP("bc1x")) { try Address(text: other) }
    }

    /// Correct checksum and length, but the first regrouped byte is not 0x00.
    @Test func bech32NonZeroLeadingByte() throws {
        let groups = try #require(Bech32.convertBits([1] + [UInt8](repeating: 0x42, count: 20),
                                                     from: 8, to: 5, pad: true))
        let s = try #require(Bech32.encode(hrp: "bc", data: groups))
        #expect(throws: AddressTextError.badPayload(.paralismBech32)) { try Address(text: s) }
        // 22 bytes regroup cleanly but are too long.
        let long = try #require(Bech32.convertBits([UInt8](repeating: 0, count: 22), from: 8, to: 5, pad: true))
        #expect(throws: AddressTextError.badPayload(.paralismBech32)) {
            try Address(text: try #require(Bech32.encode(hrp: "pr", data: long)))
        }
    }

    @Test func base58Negatives() {
        // Checksum flipped (last character changed).
        #expect(throws: AddressTextError.badChecksum(.paralismBase58)) {
            try Address(text: "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMJ")
        }
        // A character outside the alphabet ('0').
        #expect(throws: AddressTextError.badCharacter(.paralismBase58)) {
            try Address(text: "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAM0")
        }
        // Valid Base58Check, version 0x00, but a 19-byte payload.
        let short = Base58.checkEncode(version: 0, payload: [UInt8](repeating: 0x42, count: 19))
        #expect(short.hasPrefix("1"))
        #expect(throws: AddressTextError.badPayload(.paralismBase58)) { try Address(text: short) }
        // P2SH (version 5) starts with '3': no codec claims it.
        let p2sh = Base58.checkEncode(version: 5, payload: [UInt8](repeating: 0x42, count: 20))
        #expect(throws: AddressTextError.unrecognizedForm) { try Address(text: p2sh) }
        // 26 '1's are 26 zero bytes, whose last four are not the checksum of the rest.
        #expect(throws: AddressTextError.badChecksum(.paralismBase58)) {
            try Address(text: String(repeating: "1", count: 26))
        }
    }
}

// MARK: - docs/protocol.md §6.1 upstream test vectors

@Suite struct UpstreamVectorTests {
    @Test func nodeIDOfA0AB() throws {
        let a = try address("a0" + repeated("ab", 20))
        #expect(a.nodeID.bytes.hex == "34d2659e462c3b75ac561bc199081c09bed672d91d8e401ebaeea0692da9be85")
    }

    @Test func a0cdRoundTrip() throws {
        let a = try address("a0" + repeated("cd", 20))
        #expect(a.text.count == 42)
        #expect(a.text == "a0CdcdcdcDcdCdCdcDcDCdCDCdCdcdCDCdCdCdcdCD")
        #expect(try Address(text: a.text) == a)
        let lower = try Address(text: "a0" + repeated("cd", 20))
        #expect(lower.version == 0xA0)
        #expect(lower == a)
    }

    @Test func leadingUppercaseLowered() {
        #expect(throws: AddressTextError.badChecksum(.native)) {
            try Address(text: "a0EfEfefEFefEfefefefEFEfEFeFEFefEfEfEFefef")
        }
    }

    @Test func base58ToParalism() throws {
        let a = try Address(text: "16Jswqk47s9PUcyCc88MMVwzgvHPvtEpf")
        #expect(a.bytes.hex == "a2" + repeated("01", 20))
        #expect(a.text.hasPrefix("bc1"))
    }

    @Test func bcAndPrSame() throws {
        let bc = try Address(text: "bc1qppyysjzgfpyysjzgfpyysjzgfpyysjzggnj4765")
        let pr = try Address(text: "pr1qppyysjzgfpyysjzgfpyysjzgfpyysjzggh2wwar")
        #expect(bc == pr && bc.version == 0xA2 && bc.text.hasPrefix("bc1"))
    }

    @Test func ethereumZero() throws {
        let a = try address("a3" + repeated("00", 20))
        #expect(a.text == "0x0000000000000000000000000000000000000000")
        #expect(try Address(text: a.text) == a)
    }

    @Test func version99Rejected() {
        #expect(throws: AddressTextError.versionOutOfRange(0x99)) {
            try Address(text: "99" + repeated("00", 20))
        }
    }
}

// MARK: - reference-v0.1.7.json

/// The shared vector file, found relative to the package root (the nearest ancestor of this
/// source file holding Package.swift) at ../shared/vectors/reference-v0.1.7.json.
private func loadReferenceVectors() throws -> [String: Any] {
    var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
        let parent = dir.deletingLastPathComponent()
        try #require(parent.path != dir.path, "no Package.swift above \(#filePath)")
        dir = parent
    }
    let file = dir.deletingLastPathComponent()
        .appendingPathComponent("shared/vectors/reference-v0.1.7.json")
    let data = try #require(FileManager.default.contents(atPath: file.path),
                            "missing vector file \(file.path)")
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
}

private func section(_ name: String) throws -> [[String: Any]] {
    let entries = try #require(try loadReferenceVectors()[name] as? [[String: Any]], "no section \(name)")
    try #require(!entries.isEmpty, "section \(name) is empty")
    return entries
}

@Suite struct ReferenceVectorTests {
    @Test func addressParse() throws {
        for e in try section("address_parse") {
            let input = try #require(e["input"] as? String)
            let ok = try #require(e["ok"] as? Bool)
            if ok {
                let parsed = try Address(text: input)
                #expect(parsed.bytes.hex == (e["address_hex"] as? String), "\(input)")
            } else {
                #expect(throws: AddressTextError.self, "\(input)") { try Address(text: input) }
            }
        }
    }

    @Test func addressTextForms() throws {
        for e in try section("address_text_forms") {
            let a = try address(try #require(e["address_hex"] as? String))
            let text = try #require(e["text"] as? String)
            #expect(a.text == text)
            #expect(try Address(text: text) == a)
            #expect(a.nodeID.bytes.hex == (e["node_id"] as? String))
        }
    }

    @Test func identities() throws {
        for e in try section("identities") {
            let a = try address(try #require(e["address_hex"] as? String))
            let text = try #require(e["address_text"] as? String)
            #expect(a.text == text, "\(e["label"] ?? "")")
            #expect(try Address(text: text) == a)
            #expect(a.nodeID.bytes.hex == (e["node_id"] as? String))
            let pubHex = try #require(e["ed25519_public_key"] as? String)
            let pub = try #require([UInt8](hex: pubHex))
            #expect(Address.ed25519(publicKey: pub) == a)
        }
    }
}
