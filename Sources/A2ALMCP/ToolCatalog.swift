import A2ALRPC

/// One tool a2al-mcp can offer.
public struct ToolSpec: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// Forwards the arguments as the named params of this daemon method.
        case method(String)
        /// `wait_for_event` (`WaitForEvent`).
        case waitForEvent
    }

    public let name: String
    public let description: String
    public let inputSchema: JSONValue
    public let action: Action
}

/// Every tool the daemon's OpenRPC document allows, and the methods left out with the reason
/// (docs/mcp.md, "Tools"). Built once from the `rpc.discover` answer.
public struct ToolCatalog: Sendable {
    /// Offerable tools: one per method (in the document's order), then `wait_for_event`.
    public let tools: [ToolSpec]
    /// Methods never offered, with why.
    public let excluded: [(method: String, reason: String)]

    public init(document: JSONValue) throws(CatalogError) {
        guard let methods = document["methods"]?.arrayValue else {
            throw CatalogError("rpc.discover answer has no `methods` list")
        }
        let components = document["components"]?["schemas"]?.objectValue ?? JSONObject()
        let builder = InputSchemaBuilder(components: components)
        var tools: [ToolSpec] = []
        var excluded: [(String, String)] = []
        var names = Set<String>()
        for m in methods {
            guard let method = m["name"]?.stringValue else { throw CatalogError("a method without a name in rpc.discover") }
            if ToolSelection.secretMethods.contains(method) {
                excluded.append((method, "reveals private keys"))
                continue
            }
            let secrets = SecretAudit.secretProperties(in: m["result"] ?? .null, components: components)
            if !secrets.isEmpty {
                excluded.append((method, "its result has secret-looking fields: \(secrets.joined(separator: ", "))"))
                continue
            }
            if ToolSelection.connectionMethods.contains(method) {
                excluded.append((method, "acts on the calling connection; wait_for_event covers it"))
                continue
            }
            let name = ToolName.forMethod(method)
            guard ToolName.isValid(name), !names.contains(name), name != WaitForEvent.toolName else {
                excluded.append((method, "no valid, unique MCP tool name"))
                continue
            }
            names.insert(name)
            tools.append(ToolSpec(name: name, description: Self.describe(m, method: method),
                                  inputSchema: try builder.inputSchema(ofMethod: m), action: .method(method)))
        }
        if let wait = try WaitForEvent.spec(document: document, builder: builder) {
            tools.append(wait)
        }
        self.tools = tools
        self.excluded = excluded
    }

    /// The tools `selection` asks for. Unknown or excluded names are an error naming them.
    public func select(_ selection: ToolSelection) throws(CatalogError) -> [ToolSpec] {
        switch selection {
        case .all:
            return tools
        case .curated:
            let wanted = Set(ToolSelection.curatedMethods)
            return tools.filter { spec in
                if case .method(let m) = spec.action { return wanted.contains(m) }
                return true
            }
        case .named(let list):
            var out: [ToolSpec] = []
            for raw in list {
                let name = ToolName.forMethod(raw)
                if let spec = tools.first(where: { $0.name == name }) {
                    if !out.contains(spec) { out.append(spec) }
                } else if let ex = excluded.first(where: { ToolName.forMethod($0.method) == name }) {
                    throw CatalogError("--tools: \(raw) is never offered (\(ex.method) \(ex.reason))")
                } else {
                    throw CatalogError("--tools: the daemon has no method or tool named \(raw)")
                }
            }
            return out
        }
    }

    /// Summary, description and the method behind the tool, so a model reading the tool list
    /// sees what the daemon's reference says.
    static func describe(_ m: JSONValue, method: String) -> String {
        var parts: [String] = []
        if let s = m["summary"]?.stringValue, !s.isEmpty { parts.append(s) }
        if let d = m["description"]?.stringValue, !d.isEmpty { parts.append(d) }
        parts.append("(a2ald method `\(method)`.)")
        return parts.joined(separator: " ")
    }
}
