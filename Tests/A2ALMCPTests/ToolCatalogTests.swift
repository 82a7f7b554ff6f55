import A2ALMCP
import A2ALRPC
import Testing

/// The catalog logic on small OpenRPC documents (docs/mcp.md, "Tools"); the live tests beside
/// this file check the same against the real daemon's document.
@Suite struct ToolCatalogTests {
    /// A document shaped like the daemon's: by-name content descriptors, components, events.
    static func document(extraMethods: [JSONValue] = []) throws -> JSONValue {
        let text = """
        {"methods": [
          {"name": "agent.create", "summary": "Create.", "description": "Makes an agent.",
           "params": [{"name": "label", "required": false, "schema": {"type": "string"}}],
           "result": {"name": "result", "schema": {"$ref": "#/components/schemas/agent"}}},
          {"name": "agent.export", "summary": "Reveal.", "description": "",
           "params": [{"name": "address", "required": true, "schema": {"$ref": "#/components/schemas/address"}}],
           "result": {"name": "result", "schema": {"type": "object", "properties": {"private_key": {"type": "string"}}}}},
          {"name": "mailbox.send", "summary": "Send.", "description": "",
           "params": [{"name": "to", "required": true, "schema": {"$ref": "#/components/schemas/address"}},
                      {"name": "text", "required": false, "schema": {"type": "string"}}],
           "x-params-schema": {"type": "object", "properties": {"to": {"$ref": "#/components/schemas/address"}, "text": {"type": "string"}},
                               "required": ["to"], "additionalProperties": false, "oneOf": [{"required": ["text"]}]},
           "result": {"name": "result", "schema": {"type": "object"}}},
          {"name": "subscribe", "summary": "Sub.", "description": "",
           "params": [{"name": "event", "required": true, "schema": {"type": "string"}}],
           "result": {"name": "result", "schema": {"type": "object"}}},
          {"name": "watch", "summary": "Watch.", "description": "",
           "params": [{"name": "agent", "required": false, "schema": {"$ref": "#/components/schemas/address"}}],
           "result": {"name": "result", "schema": {"type": "object"}}}
        ],
        "components": {"schemas": {
          "address": {"type": "string", "pattern": "^[0-9a-fA-F]{42}$"},
          "agent": {"type": "object", "properties": {"address": {"$ref": "#/components/schemas/address"}}}
        }},
        "x-events": [{"name": "peer_health", "description": "A peer's health changed."},
                     {"name": "mailbox_received", "description": "A note."}]}
        """
        var doc = try JSONParser.parse(text)
        if !extraMethods.isEmpty, var o = doc.objectValue, let methods = o["methods"]?.arrayValue {
            o["methods"] = .array(methods + extraMethods)
            doc = .object(o)
        }
        return doc
    }

    @Test func toolNamesMapDotsToUnderscores() {
        #expect(ToolName.forMethod("agent.create") == "agent_create")
        #expect(ToolName.forMethod("node.set_max_store_keys") == "node_set_max_store_keys")
        #expect(ToolName.isValid("agent_create") && ToolName.isValid("a-b"))
        #expect(!ToolName.isValid("agent.create") && !ToolName.isValid("") && !ToolName.isValid(String(repeating: "a", count: 65)))
    }

    @Test func schemasAreRebuiltStandaloneFromTheDocument() throws {
        let catalog = try ToolCatalog(document: try Self.document())
        let create = try #require(catalog.tools.first { $0.name == "agent_create" })
        #expect(create.action == .method("agent.create"))
        #expect(create.description.contains("Create.") && create.description.contains("`agent.create`"))
        #expect(create.inputSchema.compactText == #"{"type":"object","properties":{"label":{"type":"string"}},"required":[],"additionalProperties":false}"#)
        // x-params-schema is used whole; references point at the schema's own $defs.
        let send = try #require(catalog.tools.first { $0.name == "mailbox_send" })
        #expect(send.inputSchema["oneOf"] != nil)
        #expect(send.inputSchema["properties"]?["to"]?.ref == "#/$defs/address")
        #expect(send.inputSchema["$defs"]?["address"]?["pattern"]?.stringValue == "^[0-9a-fA-F]{42}$")
    }

    @Test func secretsAndConnectionMethodsAreNeverTools() throws {
        let leaky: JSONValue = try JSONParser.parse("""
            {"name": "agent.backup", "summary": "", "description": "", "params": [],
             "result": {"name": "result", "schema": {"$ref": "#/components/schemas/backup"}}}
            """)
        var doc = try Self.document(extraMethods: [leaky])
        if var o = doc.objectValue, var comps = o["components"]?["schemas"]?.objectValue {
            comps["backup"] = try JSONParser.parse(#"{"type": "object", "properties": {"seed_hex": {"type": "string"}}}"#)
            o["components"] = .object(JSONObject([("schemas", .object(comps))]))
            doc = .object(o)
        }
        let catalog = try ToolCatalog(document: doc)
        let names = catalog.tools.map(\.name)
        for never in ["agent_export", "agent_backup", "subscribe", "watch"] { #expect(!names.contains(never), "\(never)") }
        #expect(catalog.excluded.contains { $0.method == "agent.backup" && $0.reason.contains("seed_hex") })
        #expect(try catalog.select(.all).map(\.name) == ["agent_create", "mailbox_send", "wait_for_event"])
        #expect(throws: CatalogError.self) { try catalog.select(.named(["agent_export"])) }
        #expect(throws: CatalogError.self) { try catalog.select(.named(["nope"])) }
        #expect(try catalog.select(.named(["agent.create"])).map(\.name) == ["agent_create"])
        #expect(try catalog.select(.curated).map(\.name) == ["agent_create", "mailbox_send", "wait_for_event"])
    }

    @Test func waitForEventTakesEventsAndWatchParamsFromTheDocument() throws {
        let catalog = try ToolCatalog(document: try Self.document())
        let wait = try #require(catalog.tools.first { $0.name == "wait_for_event" })
        #expect(wait.inputSchema["properties"]?["event"]?["enum"] == .strings(["peer_health", "mailbox_received"]))
        #expect(wait.inputSchema["properties"]?["watch"]?["properties"]?["agent"]?.ref == "#/$defs/address")
        #expect(wait.inputSchema["$defs"]?["address"] != nil)
        #expect(wait.inputSchema["required"] == .strings(["event"]))
    }

    @Test func optionsParse() throws {
        #expect(try MCPOptions.parse([]).selection == .curated)
        let o = try MCPOptions.parse(["--socket", "/x.sock", "--tools", "node.info, agent_list"])
        #expect(o.socketPath == "/x.sock" && o.selection == .named(["node.info", "agent_list"]))
        #expect(try MCPOptions.parse(["--socket=/y", "--all-tools"]).selection == .all)
        #expect(throws: MCPUsageError("--all-tools and --tools cannot be combined")) { try MCPOptions.parse(["--all-tools", "--tools", "a"]) }
        #expect(throws: MCPUsageError("--socket needs a value")) { try MCPOptions.parse(["--socket"]) }
        #expect(throws: MCPUsageError("unknown argument --bogus (see a2al-mcp --help)")) { try MCPOptions.parse(["--bogus"]) }
    }
}

extension JSONValue {
    /// The `$ref` of a schema object.
    var ref: String? { self["$ref"]?.stringValue }
}
