import A2ALRPC

/// Turns the words after the method into the params object.
///
/// - `key=value`: the value as the method's schema wants it. Text that reads as a JSON
///   number, `true`, `false`, `null`, array or object becomes that value unless the parameter
///   only accepts strings (so `topic=42` stays "42" and `limit=5` becomes 5); anything else
///   is a string, so quotes are never needed for plain text.
/// - `key:=JSON`: the value is JSON, always (`peers:='["a:1","b:2"]'`).
/// - a word starting with `{`: a whole params object; `key=` words after it add to it.
/// - `-`: a params object read from standard input.
struct ParamWords {
    enum Word: Equatable {
        case typed(key: String, text: String)
        case json(key: String, value: JSONValue)
        case object(JSONObject)
        case stdin
    }

    let words: [Word]

    init(_ texts: [String]) throws(CLIUsageError) {
        words = try texts.map { (text) throws(CLIUsageError) -> Word in try Self.classify(text) }
        // Keys named on the command line itself are checked now, before any connection, so the
        // mistake is reported as such even with no daemon; keys from objects and stdin are
        // checked again in build().
        var named: Set<String> = []
        for word in words {
            switch word {
            case .typed(let key, _), .json(let key, _):
                guard named.insert(key).inserted else { throw CLIUsageError("parameter \(key) is given twice") }
            case .object(let o):
                for key in o.keys where !named.insert(key).inserted { throw CLIUsageError("parameter \(key) is given twice") }
            case .stdin:
                break
            }
        }
    }

    private static func classify(_ text: String) throws(CLIUsageError) -> Word {
        if text == "-" { return .stdin }
        if text.first == "{" {
            guard let value = try? JSONParser.parse(text), let o = value.objectValue else {
                throw CLIUsageError("\(quoted(text)) is not a JSON object (\(parseFault(text)))")
            }
            return .object(o)
        }
        guard let eq = text.firstIndex(of: "=") else {
            throw CLIUsageError("\(quoted(text)): parameters are key=value, key:=JSON, a JSON object, or - for stdin")
        }
        let before = text[..<eq]
        let after = String(text[text.index(after: eq)...])
        if before.hasSuffix(":") {
            let key = String(before.dropLast())
            try checkKey(key, in: text)
            guard let value = try? JSONParser.parse(after) else {
                throw CLIUsageError("\(key):= wants JSON, and \(quoted(after)) is not (\(parseFault(after))); use \(key)=TEXT for a string")
            }
            return .json(key: key, value: value)
        }
        try checkKey(String(before), in: text)
        return .typed(key: String(before), text: after)
    }

    private static func checkKey(_ key: String, in word: String) throws(CLIUsageError) {
        guard !key.isEmpty else { throw CLIUsageError("\(quoted(word)) has no parameter name before '='") }
    }

    private static func parseFault(_ text: String) -> String {
        do { _ = try JSONParser.parse(text); return "not an object" } catch { return "\(error)" }
    }

    /// Whether typing a `key=value` word depends on the method's schema: only text that
    /// could be read both as a string and as another JSON value does.
    var needsSchema: Bool {
        words.contains { if case .typed(_, let text) = $0 { return Self.nonString(text) != nil }; return false }
    }

    var readsStdin: Bool { words.contains(.stdin) }

    /// The params object. `allowedTypes(key)` gives the JSON Schema types the parameter
    /// accepts (nil when unknown); `stdin` reads standard input once when `-` is present.
    func build(allowedTypes: (String) -> Set<String>?, stdin: () throws(CLIUsageError) -> JSONObject) throws(CLIUsageError) -> JSONObject {
        var params = JSONObject()
        var given: Set<String> = []
        func put(_ key: String, _ value: JSONValue, from source: String) throws(CLIUsageError) {
            guard given.insert(key).inserted else { throw CLIUsageError("parameter \(key) is given twice (\(source))") }
            params[key] = value
        }
        for word in words {
            switch word {
            case .typed(let key, let text):
                try put(key, Self.typedValue(text, allowed: allowedTypes(key)), from: "\(key)=\(text)")
            case .json(let key, let value):
                try put(key, value, from: "\(key):=")
            case .object(let o):
                for (k, v) in o { try put(k, v, from: "a JSON object") }
            case .stdin:
                for (k, v) in try stdin() { try put(k, v, from: "standard input") }
            }
        }
        return params
    }

    static func typedValue(_ text: String, allowed: Set<String>?) -> JSONValue {
        guard let value = nonString(text) else { return .string(text) }
        guard let allowed else { return value }
        return allowed.contains(where: { schemaType($0, accepts: value) }) ? value : .string(text)
    }

    /// `text` as JSON when it parses to something other than a string.
    private static func nonString(_ text: String) -> JSONValue? {
        guard let v = try? JSONParser.parse(text) else { return nil }
        if case .string = v { return nil }
        return v
    }

    private static func schemaType(_ type: String, accepts value: JSONValue) -> Bool {
        switch (type, value) {
        // A big integer stays a number: the daemon names it out of range rather than the CLI
        // sending it as text.
        case ("integer", .int), ("integer", .bigInt): return true
        case ("number", .int), ("number", .bigInt), ("number", .double): return true
        case ("boolean", .bool), ("null", .null), ("array", .array), ("object", .object): return true
        default: return false
        }
    }
}
