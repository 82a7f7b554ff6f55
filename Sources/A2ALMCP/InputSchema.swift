import A2ALRPC

/// Builds a tool's input schema from a method of the daemon's OpenRPC document (the answer of
/// `rpc.discover`), so the tools never drift from the daemon (docs/mcp.md, "Input schemas").
///
/// The document lists params as content descriptors and keeps the whole params schema as
/// `x-params-schema` only when it has constraints across parameters (`oneOf`); otherwise the
/// object schema is rebuilt from the descriptors: their schemas as `properties`, the required
/// ones as `required`, and `additionalProperties: false` because the daemon rejects unknown
/// params (docs/jsonrpc.md, "Conventions"). References into the document's
/// `components.schemas` are rewritten to `#/$defs/...` and the definitions they reach are
/// copied into the schema's own `$defs`, so the tool schema stands alone.
public struct InputSchemaBuilder: Sendable {
    static let componentsPrefix = "#/components/schemas/"
    static let defsPrefix = "#/$defs/"

    private let components: JSONObject

    public init(components: JSONObject) {
        self.components = components
    }

    /// The input schema of `method` (one entry of the document's `methods`).
    public func inputSchema(ofMethod method: JSONValue) throws(CatalogError) -> JSONValue {
        let name = method["name"]?.stringValue ?? "?"
        let params: JSONValue
        if let whole = method["x-params-schema"], whole.objectValue != nil {
            params = whole
        } else {
            params = try Self.rebuild(from: method["params"], method: name)
        }
        return try standalone(params, context: "method \(name)")
    }

    /// `schema` with its component references rewritten and the definitions they reach
    /// (transitively) attached as `$defs`.
    public func standalone(_ schema: JSONValue, context: String) throws(CatalogError) -> JSONValue {
        var reached: [String] = []
        let body = try rewrite(schema, reached: &reached, context: context)
        var defs = JSONObject()
        var queue = reached
        var seen = Set(reached)
        while !queue.isEmpty {
            let name = queue.removeFirst()
            guard let def = components[name] else {
                throw CatalogError("\(context): reference to #/components/schemas/\(name), which the document lacks")
            }
            var more: [String] = []
            defs[name] = try rewrite(def, reached: &more, context: "components.schemas.\(name)")
            for m in more where !seen.contains(m) {
                seen.insert(m)
                queue.append(m)
            }
        }
        guard var object = body.objectValue else {
            throw CatalogError("\(context): params schema is not an object")
        }
        if !defs.isEmpty {
            object["$defs"] = .object(JSONObject(defs.members.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))
        }
        return .object(object)
    }

    static func rebuild(from descriptors: JSONValue?, method: String) throws(CatalogError) -> JSONValue {
        guard let list = descriptors?.arrayValue ?? (descriptors == nil ? [] : nil) else {
            throw CatalogError("method \(method): params is not a list of content descriptors")
        }
        var properties = JSONObject()
        var required: [JSONValue] = []
        for d in list {
            guard let pname = d["name"]?.stringValue, let schema = d["schema"] else {
                throw CatalogError("method \(method): a param without name or schema")
            }
            properties[pname] = schema
            if d["required"]?.boolValue == true { required.append(.string(pname)) }
        }
        return .object(JSONObject([("type", "object"), ("properties", .object(properties)),
                                   ("required", .array(required)), ("additionalProperties", false)]))
    }

    private func rewrite(_ value: JSONValue, reached: inout [String], context: String) throws(CatalogError) -> JSONValue {
        switch value {
        case .object(let o):
            var out = JSONObject()
            for (k, v) in o {
                if k == "$ref", let ref = v.stringValue {
                    guard ref.hasPrefix(Self.componentsPrefix) else {
                        throw CatalogError("\(context): unsupported $ref \(ref)")
                    }
                    let name = String(ref.dropFirst(Self.componentsPrefix.count))
                    if !reached.contains(name) { reached.append(name) }
                    out[k] = .string(Self.defsPrefix + name)
                } else {
                    out[k] = try rewrite(v, reached: &reached, context: context)
                }
            }
            return .object(out)
        case .array(let a):
            var out: [JSONValue] = []
            for v in a { out.append(try rewrite(v, reached: &reached, context: context)) }
            return .array(out)
        default:
            return value
        }
    }
}

/// The OpenRPC document could not be turned into tools; the message names what is wrong.
public struct CatalogError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
