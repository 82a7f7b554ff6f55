import A2ALRPC

/// The API contract in schema/: defs.json, one file per method and one per event, loaded once,
/// with checks end-to-end tests can apply to real traffic:
///
///     let violations = try SchemaCatalog.shared().resultViolations("node.ping", result)
///     #expect(violations.isEmpty, "\(violations)")
package struct SchemaCatalog: Sendable {
    package let defs: JSONValue
    /// Method files by method name ("node.ping").
    package let methods: [String: JSONValue]
    /// Event files by event name ("peer_health").
    package let events: [String: JSONValue]

    package static let defsFile = "schema/defs.json"
    package static let methodsDir = "schema/methods"
    package static let eventsDir = "schema/events"

    package init() throws {
        defs = try PackageRoot.json(Self.defsFile)
        methods = try Self.loadDir(Self.methodsDir)
        events = try Self.loadDir(Self.eventsDir)
    }

    /// Parsed once per test process; the files do not change while tests run.
    package static func shared() throws -> SchemaCatalog { try cached.get() }
    private static let cached = Result { try SchemaCatalog() }

    private static func loadDir(_ dir: String) throws -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for name in try PackageRoot.list(dir) where name.hasSuffix(".json") {
            out[String(name.dropLast(".json".count))] = try PackageRoot.json("\(dir)/\(name)")
        }
        return out
    }

    package var validator: JSONSchemaValidator { JSONSchemaValidator(documents: ["defs.json": defs]) }

    /// A named member of a method file, or an error naming the file.
    package func methodSchema(_ method: String, _ member: String) throws -> JSONValue {
        guard let file = methods[method] else { throw TestFileError("no schema file \(Self.methodsDir)/\(method).json") }
        guard let schema = file[member] else { throw TestFileError("\(Self.methodsDir)/\(method).json has no \"\(member)\"") }
        return schema
    }

    package func paramsViolations(_ method: String, _ params: JSONValue) throws -> [SchemaViolation] {
        validator.validate(params, against: try methodSchema(method, "params"), path: "params")
    }

    package func resultViolations(_ method: String, _ result: JSONValue) throws -> [SchemaViolation] {
        validator.validate(result, against: try methodSchema(method, "result"), path: "result")
    }

    /// Checks the `result` of an event notification's params against schema/events/<event>.json.
    package func eventViolations(_ event: String, _ result: JSONValue) throws -> [SchemaViolation] {
        guard let schema = events[event]?["result"] else { throw TestFileError("no schema file \(Self.eventsDir)/\(event).json") }
        return validator.validate(result, against: schema, path: "result")
    }

    /// Checks a value against a shared shape ("record", "slow_subscriber_notice").
    package func defViolations(_ name: String, _ value: JSONValue) throws -> [SchemaViolation] {
        guard defs["$defs"]?[name] != nil else { throw TestFileError("\(Self.defsFile) has no $defs/\(name)") }
        return validator.validate(value, against: ["$ref": .string("defs.json#/$defs/\(name)")], path: name)
    }

    /// The error codes a method's file declares.
    package func declaredErrorCodes(_ method: String) throws -> [Int64] {
        try methodSchema(method, "errors").arrayValue?.compactMap { $0["code"]?.intValue } ?? []
    }
}
