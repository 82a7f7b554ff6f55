import A2ALRPC
import Foundation

/// One way an instance breaks a schema: where ("result.records[0].seq") and why.
package struct SchemaViolation: Equatable, CustomStringConvertible {
    package let path: String
    package let message: String
    package var description: String { "\(path): \(message)" }
    package init(path: String, message: String) {
        self.path = path
        self.message = message
    }
}

/// A JSON Schema (draft 2020-12) validator for tests, covering exactly the keywords the files in
/// schema/ use. `supportedKeywords` lists them; `unsupportedKeywords(in:)` lets a test prove no
/// schema relies on a keyword this validator would silently ignore.
///
/// References: "#/..." is a JSON pointer into the document being validated against;
/// "NAME#/..." (e.g. "defs.json#/$defs/record") into the document registered under NAME.
package struct JSONSchemaValidator {
    /// Keywords that constrain instances.
    package static let assertionKeywords: Set<String> = [
        "$ref", "type", "enum", "const", "properties", "required", "additionalProperties", "items",
        "minItems", "maxItems", "minLength", "maxLength", "pattern", "minimum", "maximum",
        "oneOf", "anyOf", "allOf", "not",
    ]
    /// Keywords that only annotate (documentation, identifiers, definitions).
    package static let annotationKeywords: Set<String> = [
        "$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples",
    ]
    package static var supportedKeywords: Set<String> { assertionKeywords.union(annotationKeywords) }

    /// Documents `$ref` can name, by file name ("defs.json").
    package var documents: [String: JSONValue]

    package init(documents: [String: JSONValue] = [:]) {
        self.documents = documents
    }

    /// Every violation of `schema` by `instance`; empty when it conforms. `path` names the
    /// instance in messages ("result"). `root` is the document "#/..." references resolve in
    /// (defaults to `schema` itself).
    package func validate(_ instance: JSONValue, against schema: JSONValue, path: String = "$", root: JSONValue? = nil) -> [SchemaViolation] {
        var out: [SchemaViolation] = []
        check(instance, schema, path, root ?? schema, depth: 0, into: &out)
        return out
    }

    // MARK: Evaluation

    /// Guards against a schema that refers to itself without consuming instance depth.
    private static let maxDepth = 200

    private func check(_ v: JSONValue, _ schema: JSONValue, _ path: String, _ root: JSONValue, depth: Int,
                       into out: inout [SchemaViolation]) {
        guard depth < Self.maxDepth else { out.append(.init(path: path, message: "schema recursion too deep")); return }
        switch schema {
        case .bool(true): return
        case .bool(false): out.append(.init(path: path, message: "no value is allowed here")); return
        case .object: break
        default: out.append(.init(path: path, message: "schema error: a schema must be an object or a boolean")); return
        }
        if let ref = schema["$ref"] {
            guard let target = ref.stringValue, let (resolved, newRoot) = resolve(target, root: root) else {
                out.append(.init(path: path, message: "schema error: unresolvable $ref \(ref)"))
                return
            }
            check(v, resolved, path, newRoot, depth: depth + 1, into: &out)
        }
        if let t = schema["type"] { checkType(v, t, path, into: &out) }
        if let e = schema["enum"]?.arrayValue, !e.contains(where: { Self.jsonEqual($0, v) }) {
            out.append(.init(path: path, message: "\(Self.show(v)) is not one of \(e.map(Self.show).joined(separator: ", "))"))
        }
        if let c = schema["const"], !Self.jsonEqual(c, v) {
            out.append(.init(path: path, message: "expected \(Self.show(c)), got \(Self.show(v))"))
        }
        checkNumber(v, schema, path, into: &out)
        checkString(v, schema, path, into: &out)
        checkArray(v, schema, path, root, depth: depth, into: &out)
        checkObject(v, schema, path, root, depth: depth, into: &out)
        checkCombinators(v, schema, path, root, depth: depth, into: &out)
    }

    private func checkType(_ v: JSONValue, _ t: JSONValue, _ path: String, into out: inout [SchemaViolation]) {
        let names = t.arrayValue?.compactMap(\.stringValue) ?? t.stringValue.map { [$0] } ?? []
        guard !names.contains(where: { Self.hasType(v, $0) }) else { return }
        out.append(.init(path: path, message: "expected \(names.joined(separator: " or ")), got \(Self.kind(v))"))
    }

    private func checkNumber(_ v: JSONValue, _ schema: JSONValue, _ path: String, into out: inout [SchemaViolation]) {
        guard let n = v.doubleValue else { return }
        if let min = schema["minimum"]?.doubleValue, n < min {
            out.append(.init(path: path, message: "\(Self.show(v)) is less than the minimum \(Self.show(schema["minimum"] ?? .null))"))
        }
        if let max = schema["maximum"]?.doubleValue, n > max {
            out.append(.init(path: path, message: "\(Self.show(v)) is greater than the maximum \(Self.show(schema["maximum"] ?? .null))"))
        }
    }

    private func checkString(_ v: JSONValue, _ schema: JSONValue, _ path: String, into out: inout [SchemaViolation]) {
        guard let s = v.stringValue else { return }
        // JSON Schema counts characters as code points.
        let length = s.unicodeScalars.count
        if let min = schema["minLength"]?.intValue, length < min {
            out.append(.init(path: path, message: "string of \(length) characters is shorter than minLength \(min)"))
        }
        if let max = schema["maxLength"]?.intValue, length > max {
            out.append(.init(path: path, message: "string of \(length) characters is longer than maxLength \(max)"))
        }
        if let p = schema["pattern"]?.stringValue {
            switch Self.matches(s, pattern: p) {
            case .some(true): break
            case .some(false): out.append(.init(path: path, message: "\(Self.show(v)) does not match pattern \(p)"))
            case .none: out.append(.init(path: path, message: "schema error: invalid pattern \(p)"))
            }
        }
    }

    private func checkArray(_ v: JSONValue, _ schema: JSONValue, _ path: String, _ root: JSONValue, depth: Int,
                            into out: inout [SchemaViolation]) {
        guard let items = v.arrayValue else { return }
        if let min = schema["minItems"]?.intValue, items.count < min {
            out.append(.init(path: path, message: "\(items.count) items; at least \(min) required"))
        }
        if let max = schema["maxItems"]?.intValue, items.count > max {
            out.append(.init(path: path, message: "\(items.count) items; at most \(max) allowed"))
        }
        if let itemSchema = schema["items"] {
            for (i, item) in items.enumerated() {
                check(item, itemSchema, "\(path)[\(i)]", root, depth: depth + 1, into: &out)
            }
        }
    }

    private func checkObject(_ v: JSONValue, _ schema: JSONValue, _ path: String, _ root: JSONValue, depth: Int,
                             into out: inout [SchemaViolation]) {
        guard let object = v.objectValue else { return }
        for name in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where object[name] == nil {
            out.append(.init(path: path, message: "required member \"\(name)\" is missing"))
        }
        let properties = schema["properties"]?.objectValue ?? JSONObject()
        for (name, value) in object {
            let memberPath = "\(path).\(name)"
            if let propertySchema = properties[name] {
                check(value, propertySchema, memberPath, root, depth: depth + 1, into: &out)
            } else if let extra = schema["additionalProperties"] {
                if case .bool(false) = extra {
                    out.append(.init(path: memberPath, message: "unexpected member (not in the schema)"))
                } else {
                    check(value, extra, memberPath, root, depth: depth + 1, into: &out)
                }
            }
        }
    }

    private func checkCombinators(_ v: JSONValue, _ schema: JSONValue, _ path: String, _ root: JSONValue, depth: Int,
                                  into out: inout [SchemaViolation]) {
        if let all = schema["allOf"]?.arrayValue {
            for sub in all { check(v, sub, path, root, depth: depth + 1, into: &out) }
        }
        if let any = schema["anyOf"]?.arrayValue {
            let results = any.map { violations(v, $0, path, root, depth) }
            if !results.contains(where: \.isEmpty) {
                out.append(.init(path: path, message: "matches none of the anyOf alternatives: " + Self.summarize(results)))
            }
        }
        if let one = schema["oneOf"]?.arrayValue {
            let results = one.map { violations(v, $0, path, root, depth) }
            let matching = results.indices.filter { results[$0].isEmpty }
            if matching.isEmpty {
                out.append(.init(path: path, message: "matches none of the oneOf alternatives: " + Self.summarize(results)))
            } else if matching.count > 1 {
                out.append(.init(path: path, message: "matches oneOf alternatives \(matching.map(String.init).joined(separator: " and ")); exactly one must match"))
            }
        }
        if let not = schema["not"], violations(v, not, path, root, depth).isEmpty {
            out.append(.init(path: path, message: "matches a schema it must not match"))
        }
    }

    private func violations(_ v: JSONValue, _ schema: JSONValue, _ path: String, _ root: JSONValue, _ depth: Int) -> [SchemaViolation] {
        var sub: [SchemaViolation] = []
        check(v, schema, path, root, depth: depth + 1, into: &sub)
        return sub
    }

    // MARK: References

    /// The schema a reference names and the document further "#/..." references resolve in.
    package func resolve(_ ref: String, root: JSONValue) -> (JSONValue, JSONValue)? {
        guard let hash = ref.firstIndex(of: "#") else {
            return documents[ref].map { ($0, $0) }
        }
        let file = String(ref[..<hash])
        let pointer = String(ref[ref.index(after: hash)...])
        let document: JSONValue
        if file.isEmpty {
            document = root
        } else {
            guard let d = documents[file] else { return nil }
            document = d
        }
        return Self.follow(pointer: pointer, in: document).map { ($0, document) }
    }

    /// RFC 6901 JSON pointer ("/$defs/record"; "~1" is "/", "~0" is "~").
    package static func follow(pointer: String, in document: JSONValue) -> JSONValue? {
        guard !pointer.isEmpty else { return document }
        guard pointer.hasPrefix("/") else { return nil }
        var current = document
        for token in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let name = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch current {
            case .object(let o):
                guard let next = o[name] else { return nil }
                current = next
            case .array(let a):
                guard let i = Int(name), a.indices.contains(i) else { return nil }
                current = a[i]
            default:
                return nil
            }
        }
        return current
    }

    // MARK: Vocabulary

    /// Paths of keywords in `schema` this validator does not know (so would ignore).
    package static func unsupportedKeywords(in schema: JSONValue, path: String = "$") -> [String] {
        guard case .object(let o) = schema else { return [] }
        var found: [String] = []
        for (key, value) in o {
            let here = "\(path).\(key)"
            if !supportedKeywords.contains(key) { found.append(here); continue }
            switch key {
            case "properties", "$defs":
                for (name, sub) in value.objectValue ?? JSONObject() { found += unsupportedKeywords(in: sub, path: "\(here).\(name)") }
            case "items", "additionalProperties", "not":
                found += unsupportedKeywords(in: value, path: here)
            case "oneOf", "anyOf", "allOf":
                for (i, sub) in (value.arrayValue ?? []).enumerated() { found += unsupportedKeywords(in: sub, path: "\(here)[\(i)]") }
            default:
                break
            }
        }
        return found
    }

    /// Every `$ref` string in `schema`, with its path.
    package static func references(in value: JSONValue, path: String = "$") -> [(path: String, ref: String)] {
        switch value {
        case .object(let o):
            var found: [(path: String, ref: String)] = []
            for (key, member) in o {
                if key == "$ref", let s = member.stringValue { found.append((path, s)) }
                found += references(in: member, path: "\(path).\(key)")
            }
            return found
        case .array(let a):
            return a.enumerated().flatMap { references(in: $0.element, path: "\(path)[\($0.offset)]") }
        default:
            return []
        }
    }

    // MARK: Value helpers

    package static func hasType(_ v: JSONValue, _ name: String) -> Bool {
        switch (name, v) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object): return true
        case ("number", .int), ("number", .bigInt), ("number", .double): return true
        case ("integer", .int), ("integer", .bigInt): return true
        case ("integer", .double(let d)): return d.isFinite && d.rounded() == d
        default: return false
        }
    }

    /// The JSON Schema type name of a value ("integer" for whole numbers).
    package static func kind(_ v: JSONValue) -> String {
        switch v {
        case .int, .bigInt: return "integer"
        case .double: return "number"
        default: return v.typeName
        }
    }

    /// JSON Schema equality: numbers by value, objects regardless of member order.
    package static func jsonEqual(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x == y
        case (.bigInt(let x), .bigInt(let y)): return x == y
        case (.int, .double), (.double, .int), (.double, .double): return a.doubleValue == b.doubleValue
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { jsonEqual($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { m in y[m.key].map { jsonEqual(m.value, $0) } ?? false }
        default: return a == b
        }
    }

    /// A short rendering of a value for messages.
    package static func show(_ v: JSONValue) -> String {
        let text = String(decoding: JSONWriter.write(v), as: UTF8.self)
        return text.count > 60 ? String(text.prefix(57)) + "..." : text
    }

    private static func summarize(_ results: [[SchemaViolation]]) -> String {
        results.enumerated().map { "[\($0.offset)] " + ($0.element.first?.description ?? "ok") }.joined(separator: "; ")
    }

    /// nil when the pattern does not compile. Patterns are searched, not anchored (as in JSON Schema).
    package static func matches(_ s: String, pattern: String) -> Bool? {
        guard let re = try? NSRegularExpression(pattern: pattern) else { return nil }
        return re.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
    }
}
