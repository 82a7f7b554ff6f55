import Testing
@testable import A2ALRPC

@Suite struct JSONWriterTests {
    private func text(_ v: JSONValue) -> String { v.compactText }

    @Test func scalars() {
        #expect(text(nil) == "null")
        #expect(text(true) == "true")
        #expect(text(false) == "false")
        #expect(text(0) == "0")
        #expect(text(-7) == "-7")
        #expect(text(1234567890) == "1234567890")
        #expect(text(.int(.max)) == "9223372036854775807")
        #expect(text(.int(.min)) == "-9223372036854775808")
        // Beyond Int64 every digit is kept: a u64 seq or a client's long id is never rounded.
        #expect(text(.integer(UInt64.max)) == "18446744073709551615")
        #expect(text(.integer(UInt64(Int64.max) + 1)) == "9223372036854775808")
        #expect(text(.integer(UInt64(7))) == "7")
        #expect(text(.bigInt("-123456789012345678901234567890")) == "-123456789012345678901234567890")
        #expect(text(3.0) == "3.0")
        #expect(text(0.1) == "0.1")
        #expect(text(-2.5) == "-2.5")
        #expect(text(1e20) == "1e+20")
        #expect(text(1e-7) == "1e-07")
        #expect(text(.double(.infinity)) == "null")
        #expect(text(.double(-.infinity)) == "null")
        #expect(text(.double(.nan)) == "null")
    }

    @Test func doublesAreValidJSONAndRoundTrip() throws {
        for d in [3.0, 0.1, 1e20, 1e-7, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -0.0, 123456.789, 1e16, 2.5e-300] {
            let written = JSONWriter.write(.double(d))
            #expect(try JSONParser.parse(written).doubleValue == d, "\(String(decoding: written, as: UTF8.self))")
        }
    }

    @Test func stringEscapes() {
        #expect(text("plain") == #""plain""#)
        #expect(text("a\"b\\c") == #""a\"b\\c""#)
        #expect(text("\n\r\t\u{08}\u{0C}") == #""\n\r\t\b\f""#)
        #expect(text("\u{0}\u{1}\u{1F}") == #""\u0000\u0001\u001f""#)
        #expect(text("a/b é 😀 \u{7F}") == "\"a/b é 😀 \u{7F}\"")
    }

    @Test func containers() {
        #expect(text([]) == "[]")
        #expect(text([:]) == "{}")
        #expect(text([1, "x", nil, [true]]) == #"[1,"x",null,[true]]"#)
        #expect(text(["b": 1, "a": ["c": "d"]]) == #"{"b":1,"a":{"c":"d"}}"#)
        #expect(JSONObject([("k\n", "v")]).compactText == #"{"k\n":"v"}"#)
    }

    @Test func pretty() {
        let v: JSONValue = ["a": 1, "b": [true, nil], "c": [:], "d": [], "e": ["f": "g"]]
        let expected = """
        {
          "a": 1,
          "b": [
            true,
            null
          ],
          "c": {},
          "d": [],
          "e": {
            "f": "g"
          }
        }
        """
        #expect(JSONWriter.pretty(v) == expected)
        #expect(JSONWriter.pretty([1], indent: 4) == "[\n    1\n]")
        #expect(JSONWriter.pretty("x") == #""x""#)
    }

    @Test func unsignedIntegersRoundTripExactly() throws {
        for n: UInt64 in [0, 1, UInt64(Int64.max), UInt64(Int64.max) + 1, UInt64.max - 1, UInt64.max] {
            let back = try JSONParser.parse(JSONWriter.write(.integer(n)))
            #expect(back == .integer(n))
            #expect(back.uint64Value == n)
        }
        #expect(JSONValue.int(-1).uint64Value == nil)
        #expect(JSONValue.bigInt("18446744073709551616").uint64Value == nil)
    }

    @Test func randomValuesRoundTrip() throws {
        var rng = SplitMix64(seed: 0x5EED)
        for _ in 0..<500 {
            let v = randomValue(&rng, depth: 0)
            let bytes = JSONWriter.write(v)
            #expect(!bytes.contains(UInt8(ascii: "\n")), "compact output must stay on one line")
            let back = try JSONParser.parse(bytes)
            #expect(back == v, "\(String(decoding: bytes, as: UTF8.self))")
            #expect(try JSONParser.parse(Array(JSONWriter.pretty(v).utf8)) == v)
        }
    }

    private func randomValue(_ rng: inout SplitMix64, depth: Int) -> JSONValue {
        switch rng.next() % (depth > 4 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(rng.next() & 1 == 0)
        case 2:
            let n = rng.next()
            return n & 1 == 0 ? .int(Int64(bitPattern: n) >> (rng.next() % 64)) : .integer(n | 1 << 63)
        case 3:
            let d = Double(bitPattern: rng.next())
            return .double(d.isFinite ? d : 0.5)
        case 4: return .string(randomString(&rng))
        case 5: return .array((0..<rng.next() % 5).map { _ in randomValue(&rng, depth: depth + 1) })
        default:
            // Keys must be unique: the parser refuses duplicates.
            let n = Int(rng.next() % 5)
            return .object(JSONObject((0..<n).map { ("\($0)" + randomString(&rng), randomValue(&rng, depth: depth + 1)) }))
        }
    }

    private func randomString(_ rng: inout SplitMix64) -> String {
        let pool: [Unicode.Scalar] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1F}", "\u{7F}",
                                      "é", "€", "😀", "\u{10FFFF}", "\u{FFFD}"]
        var s = String.UnicodeScalarView()
        for _ in 0..<rng.next() % 12 { s.append(pool[Int(rng.next() % UInt64(pool.count))]) }
        return String(s)
    }
}

/// Deterministic generator so a failing random case can be reproduced.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
