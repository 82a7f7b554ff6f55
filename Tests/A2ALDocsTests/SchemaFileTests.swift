import A2ALDaemon
import A2ALTestSupport
import A2ALRPC
import Foundation
import Testing

/// The files in schema/ are well-formed, self-consistent, agree with docs/jsonrpc.md and the
/// error kinds in A2ALRPC, and the generated OpenRPC document is up to date.
@Suite struct SchemaFileTests {
    let catalog: SchemaCatalog

    init() throws { catalog = try SchemaCatalog.shared() }

    // MARK: Members

    @Test func methodFilesHaveTheirMembers() throws {
        #expect(catalog.methods.count >= 40, "only \(catalog.methods.count) method files")
        for (name, file) in catalog.methods {
            let where_ = "schema/methods/\(name).json"
            #expect(file["name"]?.stringValue == name, "\(where_): name does not match the file name")
            for member in ["summary", "description"] {
                #expect(Self.hasText(file[member]), "\(where_): \(member) missing or empty")
            }
            try checkParamsSchema(file["params"], where_)
            let result = try #require(file["result"], "\(where_): no result")
            #expect(result["type"]?.stringValue == "object" || result["$ref"] != nil, "\(where_): result is not an object schema")
            let errors = try #require(file["errors"]?.arrayValue, "\(where_): errors is not an array")
            let codes = errors.compactMap { $0["code"]?.intValue }
            #expect(Set(codes).count == codes.count, "\(where_): an error code is listed twice (OpenRPC needs unique codes)")
            for (i, e) in errors.enumerated() {
                #expect(e["code"]?.intValue != nil && e["kind"]?.stringValue != nil && Self.hasText(e["when"]),
                        "\(where_): errors[\(i)] needs code, kind and when")
                #expect(e.objectValue?.keys.sorted() == ["code", "kind", "when"], "\(where_): errors[\(i)] has other members")
            }
            let examples = try #require(file["examples"]?.arrayValue, "\(where_): examples is not an array")
            #expect(!examples.isEmpty, "\(where_): no example")
            for (i, ex) in examples.enumerated() {
                #expect(ex["params"]?.objectValue != nil && ex["result"]?.objectValue != nil,
                        "\(where_): examples[\(i)] needs params and result objects")
            }
            #expect(file.objectValue?.keys.sorted() == ["description", "errors", "examples", "name", "params", "result", "summary"],
                    "\(where_): unexpected members \(file.objectValue?.keys ?? [])")
        }
    }

    /// Named params only, and unknown params are errors (docs/jsonrpc.md), so every params
    /// schema is a closed object whose required names are declared properties.
    private func checkParamsSchema(_ params: JSONValue?, _ where_: String) throws {
        let p = try #require(params?.objectValue, "\(where_): params is not an object")
        #expect(p["type"]?.stringValue == "object", "\(where_): params.type must be object")
        #expect(p["additionalProperties"] == .bool(false), "\(where_): params must set additionalProperties false")
        let properties = try #require(p["properties"]?.objectValue, "\(where_): params.properties missing")
        for name in p["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
            #expect(properties[name] != nil, "\(where_): required param \(name) is not a property")
        }
        for (name, schema) in properties {
            #expect(schema["description"]?.stringValue != nil || schema["$ref"] != nil,
                    "\(where_): param \(name) has no description")
        }
    }

    @Test func eventFilesHaveTheirMembers() throws {
        #expect(catalog.events.keys.sorted() == ["mailbox_received", "nat_type", "observed_addr", "peer_health", "public_addr", "record_pushed",
                                                 "record_stored", "transport_state"])
        for (name, file) in catalog.events {
            let where_ = "schema/events/\(name).json"
            #expect(file["name"]?.stringValue == name, "\(where_): name does not match the file name")
            #expect(Self.hasText(file["description"]), "\(where_): description missing")
            #expect(file["result"]?["type"]?.stringValue == "object", "\(where_): result is not an object schema")
            #expect((file["examples"]?.arrayValue?.count ?? 0) > 0, "\(where_): no example")
        }
    }

    /// The event names the subscribe schema accepts are exactly the event files.
    @Test func subscribableEventsHaveFiles() throws {
        let names = catalog.defs["$defs"]?["event_name"]?["enum"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(names.sorted() == catalog.events.keys.sorted())
    }

    // MARK: References and vocabulary

    @Test func everyReferenceResolves() throws {
        let validator = catalog.validator
        for (file, document) in allSchemaDocuments() {
            for (path, ref) in JSONSchemaValidator.references(in: document) {
                #expect(ref.hasPrefix("defs.json#/$defs/") || ref.hasPrefix("#/$defs/"),
                        "\(file) \(path): $ref \(ref) is not of the form defs.json#/$defs/NAME")
                #expect(validator.resolve(ref, root: document) != nil, "\(file) \(path): $ref \(ref) does not resolve")
            }
        }
    }

    /// A keyword the validator does not implement would be ignored, so examples could pass
    /// checks the schema does not really make.
    @Test func schemasUseOnlySupportedKeywords() throws {
        for (name, def) in catalog.defs["$defs"]?.objectValue ?? JSONObject() {
            let found = JSONSchemaValidator.unsupportedKeywords(in: def)
            #expect(found.isEmpty, "schema/defs.json $defs/\(name): \(found)")
        }
        for (name, file) in catalog.methods {
            for member in ["params", "result"] {
                let found = JSONSchemaValidator.unsupportedKeywords(in: file[member] ?? .null)
                #expect(found.isEmpty, "schema/methods/\(name).json \(member): \(found)")
            }
        }
        for (name, file) in catalog.events {
            let found = JSONSchemaValidator.unsupportedKeywords(in: file["result"] ?? .null)
            #expect(found.isEmpty, "schema/events/\(name).json: \(found)")
        }
    }

    // MARK: Examples and defaults

    @Test func methodExamplesValidate() throws {
        for name in catalog.methods.keys.sorted() {
            for (i, ex) in (catalog.methods[name]?["examples"]?.arrayValue ?? []).enumerated() {
                let p = try catalog.paramsViolations(name, ex["params"] ?? .null)
                #expect(p.isEmpty, "schema/methods/\(name).json examples[\(i)]: \(p)")
                let r = try catalog.resultViolations(name, ex["result"] ?? .null)
                #expect(r.isEmpty, "schema/methods/\(name).json examples[\(i)]: \(r)")
            }
        }
    }

    @Test func eventExamplesValidate() throws {
        for name in catalog.events.keys.sorted() {
            for (i, ex) in (catalog.events[name]?["examples"]?.arrayValue ?? []).enumerated() {
                let v = try catalog.eventViolations(name, ex["result"] ?? .null)
                #expect(v.isEmpty, "schema/events/\(name).json examples[\(i)]: \(v)")
            }
        }
    }

    /// A documented default must itself be a valid value of its parameter.
    @Test func parameterDefaultsValidate() throws {
        let validator = catalog.validator
        var checked = 0
        for (name, file) in catalog.methods {
            for (param, schema) in file["params"]?["properties"]?.objectValue ?? JSONObject() {
                let declared = schema["default"] ?? resolvedDefault(schema)
                guard let value = declared else { continue }
                let v = validator.validate(value, against: schema, path: "params.\(param)", root: file)
                #expect(v.isEmpty, "schema/methods/\(name).json default of \(param): \(v)")
                checked += 1
            }
        }
        #expect(checked > 20)
    }

    private func resolvedDefault(_ schema: JSONValue) -> JSONValue? {
        guard let ref = schema["$ref"]?.stringValue,
              let (target, _) = catalog.validator.resolve(ref, root: catalog.defs) else { return nil }
        return target["default"]
    }

    /// Every slow method takes `timeout_ms` with a default and fails with `timeout` when it
    /// elapses (docs/jsonrpc.md, Framing) — except publishing, which waits up to `timeout_ms`
    /// for the first replication round and then reports the replicas confirmed so far.
    static let timeoutReportsInsteadOfFailing: Set<String> = ["publish.endpoint", "publish.topic", "publish.custom", "publish.record"]

    @Test func slowMethodsTakeATimeoutWithADefault() throws {
        var slow = 0
        for (name, file) in catalog.methods {
            guard let t = file["params"]?["properties"]?["timeout_ms"] else { continue }
            slow += 1
            #expect(t["$ref"]?.stringValue == "defs.json#/$defs/timeout_ms", "\(name): timeout_ms must use the shared shape")
            #expect(t["default"]?.intValue != nil, "\(name): timeout_ms has no default")
            let declaresTimeout = try catalog.declaredErrorCodes(name).contains(Int64(RPCError.Kind.timeout.code))
            #expect(declaresTimeout != Self.timeoutReportsInsteadOfFailing.contains(name),
                    "\(name): \(declaresTimeout ? "declares" : "does not declare") the timeout error")
        }
        #expect(slow == 17)
    }

    // MARK: Agreement with A2ALRPC and docs/jsonrpc.md

    @Test func errorKindsMatchRPCErrorKinds() throws {
        let standard: [Int64: String] = [
            Int64(RPCError.parseErrorCode): "parse_error", Int64(RPCError.invalidRequestCode): "invalid_request",
            Int64(RPCError.methodNotFoundCode): "method_not_found", Int64(RPCError.invalidParamsCode): "invalid_params",
            Int64(RPCError.internalErrorCode): "internal_error",
        ]
        var kinds = standard
        for k in RPCError.Kind.allCases { kinds[Int64(k.code)] = k.rawValue }
        for (name, file) in catalog.methods {
            for e in file["errors"]?.arrayValue ?? [] {
                let code = e["code"]?.intValue ?? 0
                #expect(kinds[code] != nil && kinds[code] == e["kind"]?.stringValue,
                        "schema/methods/\(name).json: error \(code) has kind \(e["kind"].map(JSONSchemaValidator.show) ?? "none"), expected \(kinds[code] ?? "a known code")")
            }
        }
    }

    /// The final notice of docs/jsonrpc.md, built from the contract type, fits the shared shape.
    @Test func slowSubscriberNoticeFitsItsShape() throws {
        let error = RPCError.app(.slowSubscriber, "subscriber fell more than 1024 lines behind")
        let notice: JSONValue = ["jsonrpc": "2.0", "method": "subscription",
                                 "params": ["subscription": "0011223344556677", "error": error.json]]
        let v = try catalog.defViolations("slow_subscriber_notice", notice)
        #expect(v.isEmpty, "\(v)")
        let wrongKind = RPCError.app(.timeout, "not a notice")
        var bad = notice.objectValue ?? JSONObject()
        bad["params"] = ["subscription": "0011223344556677", "error": wrongKind.json]
        let badViolations = try catalog.defViolations("slow_subscriber_notice", .object(bad))
        #expect(badViolations.contains { $0.path == "slow_subscriber_notice.params.error.code" }, "\(badViolations)")
    }

    @Test func methodFilesMatchTheAPIDocument() throws {
        let documented = try DocumentedMethods.names()
        #expect(documented.count == Set(documented).count, "docs/jsonrpc.md lists a method twice")
        let files = catalog.methods.keys.sorted()
        let missing = Set(documented).subtracting(files).sorted()
        let extra = Set(files).subtracting(documented).sorted()
        #expect(missing.isEmpty, "documented in docs/jsonrpc.md but no schema file: \(missing)")
        #expect(extra.isEmpty, "schema file but not in docs/jsonrpc.md: \(extra)")
    }

    // MARK: Helpers

    /// A non-empty string.
    static func hasText(_ v: JSONValue?) -> Bool { !(v?.stringValue ?? "").isEmpty }

    private func allSchemaDocuments() -> [(String, JSONValue)] {
        [("schema/defs.json", catalog.defs)]
            + catalog.methods.sorted { $0.key < $1.key }.map { ("schema/methods/\($0.key).json", $0.value) }
            + catalog.events.sorted { $0.key < $1.key }.map { ("schema/events/\($0.key).json", $0.value) }
    }
}

/// Method names as docs/jsonrpc.md lists them: every code span in its "## Methods" section
/// that starts with a method name followed by " {" (bullets may hold more than one, e.g.
/// `node.set_self_ext_ip {...}` and `node.self_ext_ip {}`).
enum DocumentedMethods {
    static let document = "docs/jsonrpc.md"

    static func names() throws -> [String] {
        let text = String(decoding: try PackageRoot.read(document), as: UTF8.self)
        guard let start = text.range(of: "\n## Methods") else { throw TestFileError("\(document): no \"## Methods\" section") }
        let rest = text[start.upperBound...]
        let section = rest.range(of: "\n## ").map { rest[..<$0.lowerBound] } ?? rest
        let re = try NSRegularExpression(pattern: "`([a-z][a-z_]*(?:\\.[a-z_]+)*) \\{")
        let s = String(section)
        return re.matches(in: s, range: NSRange(s.startIndex..., in: s)).compactMap { m in
            Range(m.range(at: 1), in: s).map { String(s[$0]) }
        }
    }
}
