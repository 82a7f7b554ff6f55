import Testing
@testable import A2ALRPC

@Suite struct JSONParserTests {
    private func parse(_ text: String) throws(JSONParseError) -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    private func parseError(_ bytes: [UInt8]) -> JSONParseError? {
        do throws(JSONParseError) {
            let v = try JSONParser.parse(bytes)
            Issue.record("accepted \(String(decoding: bytes, as: UTF8.self).prefix(60)) as \(v)")
            return nil
        } catch {
            return error
        }
    }

    private func parseError(_ text: String) -> JSONParseError? { parseError(Array(text.utf8)) }

    @Test(arguments: [
        ("0", JSONValue.int(0)), ("-0", .int(0)), ("7", .int(7)), ("-12", .int(-12)),
        ("9223372036854775807", .int(Int64.max)), ("-9223372036854775808", .int(Int64.min)),
        // Integers beyond Int64 keep their digits (docs/jsonrpc.md: ids and seq are exact).
        ("9223372036854775808", .bigInt("9223372036854775808")),
        ("-9223372036854775809", .bigInt("-9223372036854775809")),
        ("18446744073709551615", .bigInt("18446744073709551615")),
        ("1" + String(repeating: "0", count: 29), .bigInt("1" + String(repeating: "0", count: 29))),
        ("1e29", .double(1e29)),
        ("1.5", .double(1.5)), ("-0.25", .double(-0.25)), ("1e3", .double(1000)), ("1E+2", .double(100)),
        ("2e-2", .double(0.02)), ("0.0", .double(0)), ("1.7976931348623157e308", .double(.greatestFiniteMagnitude)),
        ("true", .bool(true)), ("false", .bool(false)), ("null", .null),
        (#""""#, .string("")), (#""abc""#, .string("abc")),
        (#""\"\\\/\b\f\n\r\t""#, .string("\"\\/\u{08}\u{0C}\n\r\t")),
        (#""\u00e9\u00E9""#, .string("éé")), (#""\ud83d\ude00""#, .string("😀")),
        (#""\u0000""#, .string("\u{0}")), ("\"é😀\"", .string("é😀")), (#""a/b""#, .string("a/b")),
        ("[]", .array([])), ("{}", .object([:])), (" \t\r\n[ 1 , 2 ]\n ", .array([1, 2])),
        (#"{"a":[{"b":null}],"c":"d"}"#, .object(["a": [["b": nil]], "c": "d"])),
        (#"{ "x" : 1 }"#, .object(["x": 1])),
    ])
    func accepts(_ text: String, _ expected: JSONValue) throws {
        #expect(try parse(text) == expected)
    }

    @Test func keepsMemberOrder() throws {
        let v = try parse(#"{"z":1,"a":2,"m":3}"#)
        #expect(v.objectValue?.keys == ["z", "a", "m"])
    }

    @Test(arguments: [
        ("", "empty input"), ("   ", "empty input"),
        ("[1,]", "trailing comma"), (#"{"a":1,}"#, "trailing comma"), ("[1 2]", "expected ',' or ']' in array"),
        (#"{"a" 1}"#, "expected ':'"), ("{a:1}", "member name"), ("[", "end of input"), (#"{"a":1"#, "end of input"),
        ("01", "leading zeros"), ("-01", "leading zeros"), ("00", "leading zeros"), ("1.", "after '.'"), (".5", "expected a value"),
        ("-", "after '-'"), ("1e", "exponent"), ("1e+", "exponent"), ("+1", "expected a value"),
        ("NaN", "expected a value"), ("Infinity", "expected a value"), ("-Infinity", "after '-'"),
        ("1e400", "out of range"), ("-1e400", "out of range"),
        (#""abc"#, "unterminated string"), (#""a\x""#, "invalid escape"), (#""\u12""#, "four hex digits"),
        (#""\u12G4""#, "four hex digits"), (#""\uD800""#, "lone surrogate"), (#""\uDC00""#, "lone surrogate"),
        (#""\uD800\u0041""#, "lone surrogate"), (#""\uD800x""#, "lone surrogate"), (#""\ud83dabc""#, "lone surrogate"),
        ("\"a\nb\"", "control character"), ("\"a\tb\"", "control character"), ("\"\u{1F}\"", "control character"),
        ("[1]x", "after the JSON value"), (#"{"a":1}{"b":2}"#, "after the JSON value"), ("1 2", "after the JSON value"),
        ("// c\n1", "expected a value"), ("/* c */ 1", "expected a value"), ("[1] // c", "after the JSON value"),
        ("tru", "invalid literal"), ("nul", "invalid literal"), ("nulls", "after the JSON value"), ("'a'", "expected a value"),
        (#"{"a":1,"a":2}"#, "duplicate member name \"a\""), ("[\"a\",]", "trailing comma"),
    ])
    func rejects(_ text: String, _ reasonPart: String) {
        guard let error = parseError(text) else { return }
        #expect(error.reason.contains(reasonPart), "\(text): \(error)")
    }

    @Test func errorSaysWhere() {
        let error = parseError(#"{"a":1 "b":2}"#)
        #expect(error?.description == "at byte 7: expected ',' or '}' in object")
        #expect(parseError("[1,2,x]")?.offset == 5)
        #expect(parseError(#"{"a":1,"a":2}"#)?.offset == 7)
    }

    @Test func trailingCommaIsNamedAtTheComma() {
        #expect(parseError(#"{"a":1, }"#)?.description == "at byte 6: trailing comma")
        #expect(parseError("[1,2,\n]")?.description == "at byte 4: trailing comma")
    }

    @Test func positionCountsLinesAndCharacters() throws {
        // "é" is two bytes but one column; the fault is the comma on line 3.
        let input = Array("{\n  \"é\": 1,\n  \"b\": 2,\n}".utf8)
        let error = try #require(parseError(input))
        #expect(error.position(in: input) == (line: 3, column: 9))
        #expect(error.located(in: input) == "line 3, column 9: trailing comma")
        #expect(JSONParseError(offset: 0, reason: "x").position(in: []) == (line: 1, column: 1))
    }

    @Test(arguments: [
        [0x22, 0xC3, 0x28, 0x22],              // lead byte without a continuation
        [0x22, 0xC0, 0xAF, 0x22],              // overlong '/'
        [0x22, 0xE0, 0x80, 0xAF, 0x22],        // overlong 3-byte
        [0x22, 0xED, 0xA0, 0x80, 0x22],        // UTF-8-encoded surrogate U+D800
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // past U+10FFFF
        [0x22, 0xE2, 0x82, 0x22],              // truncated 3-byte sequence
        [0x22, 0x80, 0x22],                    // lone continuation byte
        [0x22, 0xFF, 0x22],                    // never valid in UTF-8
        [0x22, 0xF0, 0x9F, 0x98],              // truncated at end of input
        [0xEF, 0xBB, 0xBF, 0x31],              // byte-order mark before the value
    ] as [[UInt8]])
    func rejectsInvalidUTF8(_ bytes: [UInt8]) {
        #expect(parseError(bytes) != nil)
    }

    @Test func acceptsEveryUTF8Length() throws {
        let text = "\"a\u{E9}\u{20AC}\u{1F600}\u{10FFFF}\u{FFFD}\""
        #expect(try JSONParser.parse(Array(text.utf8)) == .string("a\u{E9}\u{20AC}\u{1F600}\u{10FFFF}\u{FFFD}"))
        #expect(try parse(#""x\n\u00e9é""#) == .string("x\né\u{E9}"))
    }

    @Test func nestingIsCapped() throws {
        let ok = String(repeating: "[", count: JSONParser.maxDepth) + String(repeating: "]", count: JSONParser.maxDepth)
        _ = try parse(ok)
        let deep = String(repeating: "[", count: JSONParser.maxDepth + 1) + String(repeating: "]", count: JSONParser.maxDepth + 1)
        #expect(parseError(deep)?.reason.contains("nesting deeper than 64") == true)
        let objects = String(repeating: #"{"a":"#, count: 65) + "1" + String(repeating: "}", count: 65)
        #expect(parseError(objects)?.reason.contains("nesting") == true)
    }

    @Test func nestingBombFailsWithoutCrashing() {
        let bomb = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
        let error = parseError(bomb)
        #expect(error?.offset == JSONParser.maxDepth)
        #expect(error?.reason.contains("nesting") == true)
    }

    @Test func hugeNumbers() throws {
        let longInteger = "1" + String(repeating: "0", count: 300)
        #expect(try parse(longInteger) == .bigInt(longInteger))
        #expect(try parse(longInteger).doubleValue == 1e300)
        #expect(try parse(longInteger).intValue == nil)
        #expect(parseError("1" + String(repeating: "0", count: 400))?.reason.contains("out of range") == true)
        let tiny = try parse("0." + String(repeating: "0", count: 400) + "1")
        #expect(tiny.doubleValue == 0)
        #expect(try parse("123456789012345678901234567890.5").doubleValue == 1.2345678901234568e29)
    }

    @Test func largeObjectsStillRefuseDuplicates() throws {
        let members = (0..<50).map { "\"k\($0)\":\($0)" }
        let good = "{" + members.joined(separator: ",") + "}"
        #expect(try parse(good).objectValue?.count == 50)
        let bad = "{" + (members + ["\"k7\":0"]).joined(separator: ",") + "}"
        #expect(parseError(bad)?.reason == "duplicate member name \"k7\" in object")
    }

    @Test func memberNamesCompareByBytes() throws {
        // Canonically equivalent but different bytes: distinct names in JSON.
        let small = try parse("{\"\u{E9}\":1,\"e\u{301}\":2}")
        #expect(small.objectValue?.count == 2)
        let filler = (0..<40).map { "\"f\($0)\":0" }.joined(separator: ",")
        let big = try parse("{" + filler + ",\"\u{E9}\":1,\"e\u{301}\":2}")
        #expect(big.objectValue?.count == 42)
        // The same name, once escaped and once not, is a duplicate.
        #expect(parseError(#"{"ab":1,"\u0061b":2}"#)?.reason == "duplicate member name \"ab\" in object")
        #expect(parseError("{" + filler + #","ab":1,"\u0061b":2}"#)?.reason == "duplicate member name \"ab\" in object")
    }

    @Test func sliceAndStringOverloads() throws {
        let bytes = Array("xx[1,2]".utf8)
        #expect(try JSONParser.parse(bytes[2...]) == [1, 2])
        #expect(try JSONParser.parse("{\"a\":true}") == ["a": true])
        do throws(JSONParseError) {
            _ = try JSONParser.parse(bytes[2...] + [UInt8(ascii: ",")])
            Issue.record("accepted trailing comma")
        } catch {
            #expect(error.offset == 5)
        }
    }
}
