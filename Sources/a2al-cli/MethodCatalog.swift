import A2ALRPC

/// The methods and events the daemon describes in its OpenRPC document (`rpc.discover`):
/// what `--help` lists and what types `key=value` parameters get.
struct MethodCatalog {
    struct Param {
        let name: String
        let required: Bool
        let description: String
        let schema: JSONValue
    }

    struct Method {
        let name: String
        let summary: String
        let description: String
        let params: [Param]
        let errors: [(code: Int64, message: String)]
        let example: JSONObject?
    }

    let methods: [Method]
    let events: [(name: String, description: String)]
    private let components: JSONObject

    init(document: JSONValue) {
        components = document["components"]?["schemas"]?.objectValue ?? JSONObject()
        methods = (document["methods"]?.arrayValue ?? []).compactMap(Self.method(from:))
        events = (document["x-events"]?.arrayValue ?? []).compactMap { e in
            e["name"]?.stringValue.map { ($0, e["description"]?.stringValue ?? "") }
        }
    }

    func method(named name: String) -> Method? { methods.first { $0.name == name } }

    /// The JSON Schema types `param` of `method` accepts; nil when the method or parameter is
    /// unknown or its schema names no type.
    func allowedTypes(method: String, param: String) -> Set<String>? {
        guard let p = self.method(named: method)?.params.first(where: { $0.name == param }) else { return nil }
        let types = types(of: p.schema, depth: 0)
        return types.isEmpty ? nil : types
    }

    /// A short readable type: "string", "integer", "hex32 (string)", "array of string", ...
    func typeText(_ schema: JSONValue) -> String {
        if let name = refName(schema) {
            let resolved = types(of: schema, depth: 0).sorted().joined(separator: " | ")
            return resolved.isEmpty ? name : "\(name) (\(resolved))"
        }
        if let items = schema["items"], schema["type"]?.stringValue == "array" { return "array of \(typeText(items))" }
        let t = types(of: schema, depth: 0).sorted()
        if let e = schema["enum"]?.arrayValue { return "one of " + e.map(\.compactText).joined(separator: ", ") }
        return t.isEmpty ? "any" : t.joined(separator: " | ")
    }

    private func types(of schema: JSONValue, depth: Int) -> Set<String> {
        guard depth < 16 else { return [] }
        var out: Set<String> = []
        if let name = refName(schema), let target = components[name] {
            out.formUnion(types(of: target, depth: depth + 1))
        }
        if let t = schema["type"]?.stringValue { out.insert(t) }
        for t in schema["type"]?.arrayValue ?? [] { if let s = t.stringValue { out.insert(s) } }
        if let c = schema["const"] { out.insert(Self.typeName(of: c)) }
        for e in schema["enum"]?.arrayValue ?? [] { out.insert(Self.typeName(of: e)) }
        for key in ["oneOf", "anyOf"] {
            for alt in schema[key]?.arrayValue ?? [] { out.formUnion(types(of: alt, depth: depth + 1)) }
        }
        return out
    }

    private func refName(_ schema: JSONValue) -> String? {
        guard let ref = schema["$ref"]?.stringValue, let slash = ref.lastIndex(of: "/") else { return nil }
        return String(ref[ref.index(after: slash)...])
    }

    private static func typeName(of value: JSONValue) -> String {
        switch value {
        case .int, .bigInt: return "integer"
        default: return value.typeName
        }
    }

    private static func method(from value: JSONValue) -> Method? {
        guard let name = value["name"]?.stringValue else { return nil }
        let params = (value["params"]?.arrayValue ?? []).compactMap { p -> Param? in
            guard let n = p["name"]?.stringValue else { return nil }
            return Param(name: n, required: p["required"]?.boolValue ?? false,
                         description: p["description"]?.stringValue ?? "", schema: p["schema"] ?? .object(JSONObject()))
        }
        let errors = (value["errors"]?.arrayValue ?? []).compactMap { e -> (Int64, String)? in
            guard let c = e["code"]?.intValue else { return nil }
            return (c, e["message"]?.stringValue ?? "")
        }
        var example: JSONObject?
        if let ex = value["examples"]?.arrayValue?.first {
            var o = JSONObject()
            for p in ex["params"]?.arrayValue ?? [] {
                if let n = p["name"]?.stringValue, let v = p["value"] { o[n] = v }
            }
            example = o
        }
        return Method(name: name, summary: value["summary"]?.stringValue ?? "", description: value["description"]?.stringValue ?? "",
                      params: params, errors: errors, example: example)
    }
}
