import A2ALTestSupport
import A2ALRPC
import Testing

/// The test-side validator rejects what it must, with the path of the fault, so schema tests
/// built on it can fail.
@Suite struct JSONSchemaValidatorTests {
    static let defs: JSONValue = [
        "$defs": [
            "hex4": ["type": "string", "pattern": "^[0-9a-f]{4}$"],
            "item": [
                "type": "object",
                "properties": ["id": ["$ref": "#/$defs/hex4"], "seq": ["type": "integer", "minimum": 0]],
                "required": ["id", "seq"],
                "additionalProperties": false,
            ],
        ],
    ]

    static let schema: JSONValue = [
        "type": "object",
        "properties": [
            "items": ["type": "array", "items": ["$ref": "defs.json#/$defs/item"], "minItems": 1, "maxItems": 2],
            "mode": ["enum": ["a", "b"]],
            "flag": ["const": true],
            "name": ["type": "string", "minLength": 2, "maxLength": 4],
            "rtt": ["type": ["number", "null"], "maximum": 10],
            "either": ["oneOf": [["type": "integer"], ["type": "string"]]],
            "any": ["anyOf": [["type": "boolean"], ["type": "null"]]],
            "free": ["type": "object", "additionalProperties": ["type": "integer"]],
        ],
        "required": ["items"],
        "additionalProperties": false,
    ]

    let validator = JSONSchemaValidator(documents: ["defs.json": JSONSchemaValidatorTests.defs])

    func violations(_ v: JSONValue) -> [SchemaViolation] { validator.validate(v, against: Self.schema, path: "result") }

    @Test func acceptsAConformingValue() {
        let ok: JSONValue = ["items": [["id": "ab12", "seq": 3]], "mode": "b", "flag": true, "name": "abc", "rtt": nil,
                             "either": 5, "any": false, "free": ["x": 1, "y": 2.0]]
        #expect(violations(ok) == [])
    }

    @Test func reportsThePathOfANestedFault() {
        let v = violations(["items": [["id": "ab12", "seq": "3"]]])
        #expect(v == [SchemaViolation(path: "result.items[0].seq", message: "expected integer, got string")])
    }

    /// A valid minimal item list plus one faulty member.
    static func base(_ extra: JSONObject) -> JSONValue {
        var o: JSONObject = ["items": [["id": "abcd", "seq": 1]]]
        for (k, v) in extra { o[k] = v }
        return .object(o)
    }

    static func item(_ item: JSONObject) -> JSONValue { ["items": [.object(item)]] }

    static let faults: [(JSONValue, String)] = [
        (["items": []], "result.items"),                                          // minItems
        (["items": [["id": "0000", "seq": 1], ["id": "0000", "seq": 1], ["id": "0000", "seq": 1]]], "result.items"), // maxItems
        (item(["id": "ABCD", "seq": 1]), "result.items[0].id"),                    // pattern via #/$defs ref
        (item(["id": "abcd", "seq": -1]), "result.items[0].seq"),                  // minimum
        (item(["id": "abcd", "seq": 1.5]), "result.items[0].seq"),                 // integer, not a fraction
        (item(["id": "abcd"]), "result.items[0]"),                                 // required
        (item(["id": "abcd", "seq": 1, "x": 0]), "result.items[0].x"),             // additionalProperties false
        (base(["mode": "c"]), "result.mode"),                                      // enum
        (base(["flag": false]), "result.flag"),                                    // const
        (base(["name": "a"]), "result.name"),                                      // minLength
        (base(["name": "abcde"]), "result.name"),                                  // maxLength
        (base(["rtt": 11]), "result.rtt"),                                         // maximum
        (base(["rtt": "1"]), "result.rtt"),                                        // type list
        (base(["either": true]), "result.either"),                                 // oneOf: none
        (base(["any": 1]), "result.any"),                                          // anyOf: none
        (base(["free": ["x": "1"]]), "result.free.x"),                             // additionalProperties schema
        (base(["other": 1]), "result.other"),                                      // unknown member
        (["mode": "a"], "result"),                                                 // required at the top
        ([1, 2], "result"),                                                        // type object
    ]

    @Test(arguments: faults)
    func rejects(_ value: JSONValue, at path: String) {
        let v = violations(value)
        #expect(!v.isEmpty, "accepted \(value)")
        #expect(v.contains { $0.path == path }, "expected a violation at \(path), got \(v)")
    }

    @Test func oneOfRejectsAValueMatchingTwoAlternatives() {
        let schema: JSONValue = ["oneOf": [["required": ["text"]], ["required": ["data"]]]]
        #expect(validator.validate(["text": "a"], against: schema).isEmpty)
        #expect(!validator.validate(["text": "a", "data": "b"], against: schema).isEmpty)
        #expect(!validator.validate([:], against: schema).isEmpty)
    }

    @Test func numbersCompareByValueAndObjectsIgnoreOrder() {
        #expect(validator.validate(.double(3.0), against: ["const": 3]).isEmpty)
        #expect(validator.validate(["a": 1, "b": 2], against: ["const": ["b": 2, "a": 1]]).isEmpty)
        #expect(!validator.validate(.double(3.5), against: ["enum": [3, 4]]).isEmpty)
    }

    @Test func patternsSearchUnanchored() {
        #expect(validator.validate("xx12yy", against: ["pattern": "[0-9]+"]).isEmpty)
        #expect(!validator.validate("xxyy", against: ["pattern": "[0-9]+"]).isEmpty)
    }

    @Test func schemaFaultsAreReportedNotIgnored() {
        #expect(validator.validate(1, against: ["$ref": "defs.json#/$defs/nothing"]).first?.message.contains("unresolvable") == true)
        #expect(validator.validate(1, against: ["$ref": "other.json#/x"]).first?.message.contains("unresolvable") == true)
        #expect(validator.validate("a", against: ["pattern": "("]).first?.message.contains("invalid pattern") == true)
        #expect(validator.validate(1, against: false) == [SchemaViolation(path: "$", message: "no value is allowed here")])
    }

    @Test func aSelfReferenceDoesNotLoopForever() {
        let schema: JSONValue = ["$defs": ["loop": ["$ref": "#/$defs/loop"]], "$ref": "#/$defs/loop"]
        #expect(validator.validate(1, against: schema).first?.message == "schema recursion too deep")
    }

    @Test func findsUnsupportedKeywordsAtAnyDepth() {
        let schema: JSONValue = ["type": "object", "properties": ["a": ["type": "string", "format": "date"]],
                                 "patternProperties": [:], "oneOf": [["if": true]]]
        #expect(JSONSchemaValidator.unsupportedKeywords(in: schema).sorted() == ["$.oneOf[0].if", "$.patternProperties", "$.properties.a.format"])
    }

    @Test func jsonPointerUnescapes() {
        let doc: JSONValue = ["a/b": ["~c": [10, 20]]]
        #expect(JSONSchemaValidator.follow(pointer: "/a~1b/~0c/1", in: doc) == 20)
        #expect(JSONSchemaValidator.follow(pointer: "/a~1b/~0c/2", in: doc) == nil)
        #expect(JSONSchemaValidator.follow(pointer: "a", in: doc) == nil)
    }

    /// The real record shape has teeth: a wrong type deep inside a method result is caught
    /// with its full path.
    @Test func realResultSchemaCatchesAWrongNestedType() throws {
        let catalog = try SchemaCatalog.shared()
        let example = try #require(catalog.methods["node.find_value"]?["examples"]?.arrayValue?.first?["result"]?.objectValue)
        let clean = try catalog.resultViolations("node.find_value", .object(example))
        #expect(clean.isEmpty, "\(clean)")
        var record = try #require(example["records"]?.arrayValue?.first?.objectValue)
        record["seq"] = 7
        var broken = example
        broken["records"] = [.object(record)]
        let v = try catalog.resultViolations("node.find_value", .object(broken))
        #expect(v.contains(SchemaViolation(path: "result.records[0].seq", message: "expected string, got integer")), "\(v)")
        record["seq"] = "7"
        record["payload"] = ["endpoints": "quic://x"]
        broken["records"] = [.object(record)]
        let payloadViolations = try catalog.resultViolations("node.find_value", .object(broken))
        #expect(payloadViolations.contains { $0.path == "result.records[0].payload" }, "\(payloadViolations)")
    }
}
