import A2ALCore
import A2ALRPC

/// Conversion between free-form CBOR (topic `meta`) and JSON, both ways.
///
/// CBOR → JSON is total, so any record a peer sends can be shown: maps with text keys become
/// objects, byte strings become base64 strings, tags are dropped, and what JSON cannot hold
/// (undefined, other simple values, NaN and infinities) becomes null. Map keys that are not
/// text are stringified; when two keys end up with the same name the first one wins, as the
/// reference decoder does for duplicate keys.
///
/// JSON → CBOR is what `publish.topic` signs: strings become text (there is no way to tell a
/// base64 string from text, so byte strings do not survive a round trip — documented in
/// docs/jsonrpc.md as "byte strings as base64").
package enum CBORJSON {
    /// Nesting accepted in a client's meta value (the record must fit a datagram anyway).
    package static let maxDepth = 16

    // MARK: CBOR → JSON

    package static func json(from item: CBOR) -> JSONValue {
        switch item {
        case .unsigned(let n): return .integer(n)
        case .negative(let n):
            // The value is -1 - n; below Int64.min it keeps its digits (`JSONValue.bigInt`).
            if n <= UInt64(Int64.max) { return .int(-1 - Int64(n)) }
            return .bigInt("-" + (n == .max ? "18446744073709551616" : String(n + 1)))
        case .bytes(let b): return .string(Base64Text.encode(b))
        case .text(let s): return .string(s)
        case .array(let items): return .array(items.map(json(from:)))
        case .map(let pairs):
            var o = JSONObject()
            for p in pairs {
                let name = keyText(p.key)
                if o[name] == nil { o[name] = json(from: p.value) }
            }
            return .object(o)
        case .tagged(_, let inner): return json(from: inner)
        case .bool(let b): return .bool(b)
        case .null, .undefined, .simple: return .null
        case .float(let d): return d.isFinite ? .double(d) : .null
        }
    }

    /// A text-keyed map (topic meta) as a JSON object, keys in CBOR canonical order (shorter
    /// first, then bytewise) so the same meta always renders the same way.
    package static func object(from meta: [String: CBOR]) -> JSONObject {
        let keys = meta.keys.sorted { a, b in
            a.utf8.count != b.utf8.count ? a.utf8.count < b.utf8.count : a.utf8.lexicographicallyPrecedes(b.utf8)
        }
        var o = JSONObject()
        for k in keys { if let v = meta[k] { o[k] = json(from: v) } }
        return o
    }

    /// The member name for a non-text map key: its JSON text for numbers and booleans, base64
    /// for byte strings, a short description for anything else.
    static func keyText(_ key: CBOR) -> String {
        switch key {
        case .text(let s): return s
        case .bytes(let b): return Base64Text.encode(b)
        case .tagged(_, let inner): return keyText(inner)
        case .unsigned, .negative, .float:
            switch json(from: key) {
            case .int(let i): return String(i)
            case .bigInt(let text): return text
            case .double(let d): return String(d)
            default: return key.kindName
            }
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        default: return key.kindName
        }
    }

    // MARK: JSON → CBOR

    /// A JSON value as CBOR; `path` names the parameter in errors ("meta.tags[2]").
    package static func cbor(from value: JSONValue, path: String) throws(RPCError) -> CBOR {
        try cbor(from: value, path: path, depth: 0)
    }

    /// A JSON object as the text-keyed map of topic meta.
    package static func meta(from object: JSONObject, path: String) throws(RPCError) -> [String: CBOR] {
        var m: [String: CBOR] = [:]
        for (k, v) in object { m[k] = try cbor(from: v, path: "\(path).\(k)", depth: 1) }
        return m
    }

    /// An integer beyond Int64 as CBOR's major type 0 or 1, which reach ±2⁶⁴.
    private static func bigInteger(_ text: String, path: String) throws(RPCError) -> CBOR {
        if let n = UInt64(text) { return .unsigned(n) }
        if text.hasPrefix("-"), let magnitude = UInt64(text.dropFirst()), magnitude > 0 { return .negative(magnitude - 1) }
        if text == "-18446744073709551616" { return .negative(.max) }
        throw .invalidParams(path, "integer \(text.prefix(40)) is out of range -2^64...2^64-1")
    }

    private static func cbor(from value: JSONValue, path: String, depth: Int) throws(RPCError) -> CBOR {
        guard depth <= maxDepth else { throw .invalidParams(path, "nested deeper than \(maxDepth) levels") }
        switch value {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return i >= 0 ? .unsigned(UInt64(i)) : .negative(UInt64(-(i + 1)))
        case .bigInt(let text): return try bigInteger(text, path: path)
        case .double(let d):
            guard d.isFinite else { throw .invalidParams(path, "number is not finite") }
            return .float(d)
        case .string(let s): return .text(s)
        case .array(let items):
            var out: [CBOR] = []
            out.reserveCapacity(items.count)
            for (i, item) in items.enumerated() { out.append(try cbor(from: item, path: "\(path)[\(i)]", depth: depth + 1)) }
            return .array(out)
        case .object(let o):
            var pairs: [CBORPair] = []
            pairs.reserveCapacity(o.count)
            for (k, v) in o { pairs.append(CBORPair(.text(k), try cbor(from: v, path: "\(path).\(k)", depth: depth + 1))) }
            return .map(pairs)
        }
    }
}
