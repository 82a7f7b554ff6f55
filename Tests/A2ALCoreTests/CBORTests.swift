import Testing
@testable import A2ALCore

/// The deterministic encoder (docs/protocol.md §2.1) and the lenient but bounded decoder (§2.2).
@Suite struct CBORTests {
    func h(_ s: String) -> [UInt8] { [UInt8](hex: s)! }

    @Test(arguments: [
        (UInt64(0), "00"), (23, "17"), (24, "1818"), (255, "18ff"), (256, "190100"), (65535, "19ffff"),
        (65536, "1a00010000"), (4_294_967_295, "1affffffff"), (4_294_967_296, "1b0000000100000000"),
        (UInt64.max, "1bffffffffffffffff"),
    ])
    func shortestIntegers(value: UInt64, hex: String) throws {
        #expect(CBOR.unsigned(value).encoded.hex == hex)
        #expect(try CBOR.decode(h(hex)) == .unsigned(value))
    }

    @Test func negativeIntegersAndStrings() throws {
        #expect(CBOR.negative(0).encoded.hex == "20")
        #expect(CBOR.negative(99).encoded.hex == "3863")
        #expect(CBOR.text("IETF").encoded.hex == "6449455446")
        #expect(CBOR.bytes([]).encoded.hex == "40")
        #expect(CBOR.bytes([UInt8](repeating: 7, count: 24)).encoded.prefix(2) == [0x58, 24])
        #expect(try CBOR.decode(h("62c3bc")) == .text("ü"))
    }

    @Test(arguments: [
        (0.0, "f90000"), (-0.0, "f98000"), (1.0, "f93c00"), (1.5, "f93e00"), (65504.0, "f97bff"),
        (5.960464477539063e-8, "f90001"), (0.00006103515625, "f90400"), (100000.0, "fa47c35000"),
        (3.4028234663852886e+38, "fa7f7fffff"), (1.1, "fb3ff199999999999a"), (Double.infinity, "f97c00"),
        (-Double.infinity, "f9fc00"), (-4.1, "fbc010666666666666"),
    ])
    func shortestExactFloats(value: Double, hex: String) throws {
        #expect(CBOR.float(value).encoded.hex == hex)
        #expect(try CBOR.decode(h(hex)) == .float(value))
    }

    @Test func nanIsCanonical() throws {
        #expect(CBOR.float(.nan).encoded.hex == "f97e00")
        guard case .float(let d) = try CBOR.decode(h("fb7ff8000000000000")) else { Issue.record("not a float"); return }
        #expect(d.isNaN)
    }

    @Test func mapKeysSortLengthFirstThenBytewise() {
        let m = CBOR.map([CBORPair(.text("bb"), .unsigned(1)), CBORPair(.text("a"), .unsigned(2)),
                          CBORPair(.text("c"), .negative(0)), CBORPair(.text("zz"), .text("x")),
                          CBORPair(.unsigned(10), .null), CBORPair(.unsigned(1), .null)])
        #expect(m.encoded.hex == "a6" + "01f6" + "0af6" + "616102" + "616320" + "62626201" + "627a7a6178")
    }

    @Test func lenientForms() throws {
        // Non-minimal heads, indefinite strings, arrays and maps, self-describe tag.
        #expect(try CBOR.decode(h("1b0000000000000001")) == .unsigned(1))
        #expect(try CBOR.decode(h("5f42010243030405ff")) == .bytes([1, 2, 3, 4, 5]))
        #expect(try CBOR.decode(h("7f61616162ff")) == .text("ab"))
        #expect(try CBOR.decode(h("9f0102ff")) == .array([.unsigned(1), .unsigned(2)]))
        #expect(try CBOR.decode(h("bf0102ff")) == .map([CBORPair(.unsigned(1), .unsigned(2))]))
        #expect(try CBOR.decode(h("d9d9f701")) == .unsigned(1))
        #expect(try CBOR.decode(h("d86401")) == .tagged(100, .unsigned(1)))
        #expect(try CBOR.decode(h("f7")) == .undefined)
        #expect(try CBOR.decode(h("f820")) == .simple(32))
    }

    @Test(arguments: [
        ("", CBORError.truncated(at: 0)),
        ("18", .truncated(at: 1)),
        ("1a0000", .truncated(at: 1)),
        ("0000", .trailingBytes(count: 1)),
        ("1c", .reservedAdditionalInfo(byte: 0x1c, at: 0)),
        ("ff", .unexpectedBreak(at: 0)),
        ("1f", .indefiniteLengthNotAllowed(major: 0, at: 0)),
        ("5f6161ff", .badIndefiniteChunk(at: 1)),
        ("5f5f4000ffff", .badIndefiniteChunk(at: 1)),
        ("f818", .invalidSimpleValue(24, at: 0)),
        ("62c328", .invalidUTF8(at: 0)),
        ("5a7fffffff00", .lengthTooLarge(at: 0)),
        ("9b00000000ffffffff", .lengthTooLarge(at: 0)),
        ("bb00000000ffffffff", .lengthTooLarge(at: 0)),
        ("9f01", .truncated(at: 2)),
        ("bf01", .truncated(at: 2)),
        ("a201", .lengthTooLarge(at: 0)),
    ])
    func malformedInputIsATypedError(hex: String, error: CBORError) {
        #expect(throws: error) { try CBOR.decode(h(hex)) }
    }

    @Test func nestingAndCountLimits() {
        let deep = [UInt8](repeating: 0x81, count: 40) + [0x00]
        #expect(throws: CBORError.depthExceeded(limit: 32)) { try CBOR.decode(deep) }
        let deepIndefinite = [UInt8](repeating: 0x9f, count: 100_000)
        #expect(throws: CBORError.depthExceeded(limit: 32)) { try CBOR.decode(deepIndefinite) }
        let deepTags = [UInt8](repeating: 0xc6, count: 100_000)
        #expect(throws: CBORError.depthExceeded(limit: 32)) { try CBOR.decode(deepTags) }
        let small = CBORLimits(maxDepth: 32, maxArrayElements: 3, maxMapPairs: 1)
        #expect(throws: CBORError.tooManyItems(limit: 3)) { try CBOR.decode(h("8401020304"), limits: small) }
        #expect(throws: CBORError.tooManyItems(limit: 3)) { try CBOR.decode(h("9f01020304ff"), limits: small) }
        #expect(throws: CBORError.tooManyItems(limit: 1)) { try CBOR.decode(h("a201020304"), limits: small) }
    }

    @Test func randomBytesNeverCrash() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let n = Int.random(in: 0...64, using: &rng)
            let bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            _ = try? CBOR.decode(bytes)
        }
    }

    @Test func structFieldRules() throws {
        // First occurrence wins; "1" names field 1; unknown and negative keys are ignored.
        let f = try CBORFields(try CBOR.decode(h("a4" + "0101" + "0102" + "20" + "05" + "613203")), context: "s")
        #expect(try f.uint(1) == 1)
        #expect(try f.uint(2) == 3)
        #expect(try CBORFields(.null, context: "s").uint(1) == 0)
        #expect(throws: CBORError.badMapKey(field: "s", got: "byte string")) {
            try CBORFields(try CBOR.decode(h("a14101" + "02")), context: "s")
        }
        #expect(throws: CBORError.integerOverflow(field: "s.1", max: 255)) {
            try CBORFields(try CBOR.decode(h("a1011901" + "00")), context: "s").uint(1, max: 255)
        }
        #expect(throws: CBORError.typeMismatch(field: "s.1", expected: "bool", got: "unsigned integer")) {
            try CBORFields(try CBOR.decode(h("a10101")), context: "s").bool(1)
        }
        #expect(throws: CBORError.typeMismatch(field: "s.1", expected: "byte string", got: "text string")) {
            try CBORFields(try CBOR.decode(h("a1016161")), context: "s").bytes(1)
        }
        #expect(throws: CBORError.typeMismatch(field: "s", expected: "map", got: "array")) {
            try CBORFields(try CBOR.decode(h("80")), context: "s")
        }
    }
}
