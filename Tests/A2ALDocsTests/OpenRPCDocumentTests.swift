import A2ALDaemon
import A2ALTestSupport
import A2ALRPC
import Foundation
import Testing

/// schema/openrpc.json and its embedded copy are what scripts/gen-openrpc.py makes from the
/// schema files; a stale copy (schema edited, script not run) fails here.
@Suite struct OpenRPCDocumentTests {
    static let path = "schema/openrpc.json"

    @Test func embeddedCopyEqualsTheFile() throws {
        let fileText = String(decoding: try PackageRoot.read(Self.path), as: UTF8.self)
        #expect(OpenRPCDocument.json == fileText, "the embedded document is not schema/openrpc.json (Sources/A2ALDaemon/Resources/openrpc.json must link to it)")
        let embedded = try JSONParser.parse(OpenRPCDocument.json)
        #expect(embedded == (try PackageRoot.json(Self.path)))
    }

    @Test(.enabled(if: GeneratorCheck.available, "needs python3 to run the generator"))
    func generatorReportsNothingStale() throws {
        let check = try GeneratorCheck.run("scripts/gen-openrpc.py")
        #expect(check.status == 0, "gen-openrpc.py --check: \(check.message)")
    }

    @Test func documentDescribesEveryMethodFile() throws {
        let doc = try JSONParser.parse(OpenRPCDocument.json)
        let catalog = try SchemaCatalog.shared()
        #expect(doc["openrpc"]?.stringValue?.hasPrefix("1.3.") == true)
        #expect(doc["info"]?["title"]?.stringValue == "a2ald")
        #expect(doc["info"]?["version"]?.stringValue == DaemonVersion.string, "info.version differs from DaemonVersion.string; run scripts/gen-openrpc.py")
        let methods = try #require(doc["methods"]?.arrayValue)
        let names = methods.compactMap { $0["name"]?.stringValue }
        #expect(names == catalog.methods.keys.sorted(), "methods must be sorted and match schema/methods")
        for m in methods {
            let name = m["name"]?.stringValue ?? "?"
            #expect(m["paramStructure"]?.stringValue == "either", "\(name): paramStructure")
            let file = try #require(catalog.methods[name])
            let required = Set(file["params"]?["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            let props = file["params"]?["properties"]?.objectValue?.keys ?? []
            let descriptors = m["params"]?.arrayValue ?? []
            #expect(descriptors.compactMap { $0["name"]?.stringValue } == props, "\(name): one content descriptor per param, in order")
            for d in descriptors {
                let param = d["name"]?.stringValue ?? "?"
                #expect(d["required"]?.boolValue == required.contains(param), "\(name).\(param): required flag")
                #expect(d["schema"]?.objectValue != nil, "\(name).\(param): no schema")
            }
            #expect(m["result"]?["schema"]?.objectValue != nil, "\(name): no result schema")
            #expect(m["errors"]?.arrayValue?.count == file["errors"]?.arrayValue?.count, "\(name): errors")
        }
        let events = doc["x-events"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        #expect(events == catalog.events.keys.sorted())
    }

    /// Within the OpenRPC document every reference points at its own components.
    @Test func referencesPointAtComponents() throws {
        let doc = try JSONParser.parse(OpenRPCDocument.json)
        let refs = JSONSchemaValidator.references(in: doc)
        #expect(refs.count > 100)
        let validator = JSONSchemaValidator()
        for (path, ref) in refs {
            #expect(ref.hasPrefix("#/components/schemas/"), "\(path): \(ref)")
            #expect(validator.resolve(ref, root: doc) != nil, "\(path): \(ref) does not resolve")
        }
    }

    /// The examples in the document validate against its own (rewritten) schemas, so the
    /// reference rewriting kept the meaning.
    @Test func documentExamplesValidateAgainstDocumentSchemas() throws {
        let doc = try JSONParser.parse(OpenRPCDocument.json)
        let validator = JSONSchemaValidator()
        var checked = 0
        for m in doc["methods"]?.arrayValue ?? [] {
            let name = m["name"]?.stringValue ?? "?"
            guard let resultSchema = m["result"]?["schema"] else { continue }
            for ex in m["examples"]?.arrayValue ?? [] {
                let v = validator.validate(ex["result"]?["value"] ?? .null, against: resultSchema, path: "\(name).result", root: doc)
                #expect(v.isEmpty, "\(v)")
                checked += 1
            }
        }
        #expect(checked >= 48)
    }
}
