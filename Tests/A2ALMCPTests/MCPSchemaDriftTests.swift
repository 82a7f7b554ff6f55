import A2ALTestSupport
import A2ALRPC
import Testing

/// The schema-drift guard (docs/mcp.md, "Input schemas"): every tool a2al-mcp --all-tools
/// lists, as the MCP client receives it, has exactly its method's params schema from
/// schema/methods/<method>.json, references resolved on both sides (the tool's against its
/// own `$defs`, the file's against schema/defs.json). A tool whose schema was hard-coded, or
/// a schema file changed without the daemon, fails here.
@Suite(.serialized) struct MCPSchemaDriftTests {
    @Test func everyToolSchemaEqualsItsMethodParamsSchemaOnDisk() async throws {
        let daemon = try await DaemonProcess.start()
        let doc = try await daemon.result("rpc.discover")
        let proxy = try MCPProxy()
        try await proxy.open("all", ["--socket", daemon.socketPath, "--all-tools"])
        let tools = try await proxy.listTools("all")
        try await proxy.finish()
        try await daemon.stop()

        let methodByTool = Dictionary(uniqueKeysWithValues: (doc["methods"]?.arrayValue ?? []).compactMap { m -> (String, String)? in
            m["name"]?.stringValue.map { ($0.replacingOccurrences(of: ".", with: "_"), $0) }
        })
        let files = try PackageRoot.list("schema/methods").filter { $0.hasSuffix(".json") }
        let defs = try #require(try PackageRoot.json("schema/defs.json")["$defs"]?.objectValue)
        var checked: Set<String> = []
        for tool in tools {
            let name = tool.str("name")
            guard name != "wait_for_event" else { continue }
            let method = try #require(methodByTool[name], "tool \(name) has no method in rpc.discover")
            #expect(files.contains("\(method).json"), "no schema/methods/\(method).json for tool \(name)")
            let file = try PackageRoot.json("schema/methods/\(method).json")
            let onDisk = try SchemaCanon.resolve(try #require(file["params"]), context: method) { ref in
                for prefix in ["defs.json#/$defs/", "#/$defs/"] where ref.hasPrefix(prefix) {
                    return defs[String(ref.dropFirst(prefix.count))]
                }
                return nil
            }
            let schema = try #require(tool["inputSchema"])
            let ownDefs = schema["$defs"]?.objectValue ?? JSONObject()
            var withoutDefs = try #require(schema.objectValue)
            withoutDefs["$defs"] = nil
            let offered = try SchemaCanon.resolve(.object(withoutDefs), context: name) { ref in
                ref.hasPrefix("#/$defs/") ? ownDefs[String(ref.dropFirst("#/$defs/".count))] : nil
            }
            #expect(SchemaCanon.text(offered) == SchemaCanon.text(onDisk),
                    "tool \(name) drifted from schema/methods/\(method).json:\n tool: \(SchemaCanon.text(offered))\n file: \(SchemaCanon.text(onDisk))")
            checked.insert(method)
        }
        // Every method file is a tool but the documented exclusions.
        let excluded: Set<String> = ["agent.export", "subscribe", "unsubscribe", "watch", "unwatch"]
        let fileMethods = Set(files.map { String($0.dropLast(".json".count)) })
        #expect(checked == fileMethods.subtracting(excluded), "unchecked: \(fileMethods.subtracting(excluded).subtracting(checked))")
        #expect(checked.count >= 40)
    }
}

/// Schemas in a comparable form: every `$ref` replaced by what it names (siblings such as
/// `description` kept), object members sorted, `required` compared as a set, integral
/// numbers as integers (a JSON round trip may turn 5 into 5.0).
enum SchemaCanon {
    static func resolve(_ v: JSONValue, context: String, depth: Int = 0,
                        lookup: (String) -> JSONValue?) throws -> JSONValue {
        guard depth < 40 else { throw TestFileError("\(context): references nest deeper than 40") }
        switch v {
        case .object(let o):
            var out = JSONObject()
            for (k, x) in o {
                if k == "$ref", let ref = x.stringValue {
                    guard let target = lookup(ref) else { throw TestFileError("\(context): unresolvable $ref \(ref)") }
                    out["$ref"] = try resolve(target, context: context, depth: depth + 1, lookup: lookup)
                } else {
                    out[k] = try resolve(x, context: context, depth: depth + 1, lookup: lookup)
                }
            }
            return .object(out)
        case .array(let a):
            return .array(try a.map { try resolve($0, context: context, depth: depth + 1, lookup: lookup) })
        default:
            return v
        }
    }

    static func text(_ v: JSONValue) -> String { canonical(v).compactText }

    static func canonical(_ v: JSONValue) -> JSONValue {
        switch v {
        case .object(let o):
            let members = o.members.sorted { $0.key < $1.key }.map { m -> (String, JSONValue) in
                if m.key == "required", let list = m.value.arrayValue {
                    return (m.key, .array(list.compactMap(\.stringValue).sorted().map(JSONValue.string)))
                }
                return (m.key, canonical(m.value))
            }
            return .object(JSONObject(members))
        case .array(let a):
            return .array(a.map(canonical))
        case .double(let d) where d.rounded() == d && abs(d) < 9e15:
            return .int(Int64(d))
        default:
            return v
        }
    }
}
