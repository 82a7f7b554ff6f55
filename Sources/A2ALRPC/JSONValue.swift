/// A JSON value as the JSON-RPC layer sees it. Objects keep their members in order (what a
/// person reads in a reply follows the order the method built it) and numbers keep the
/// integer/float distinction, so 64-bit integers such as record sequence numbers survive exactly.
/// Integers outside Int64 keep their decimal text (`bigInt`), so a u64 sequence number above
/// Int64.max or a client's 30-digit request id goes out digit for digit (docs/jsonrpc.md,
/// "Framing and protocol").
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    /// An integer outside Int64's range, as its decimal text: an optional '-' and digits,
    /// no leading zeros (what the parser accepts and `integer(_:)` writes).
    case bigInt(String)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The JSON type name used in error messages ("expected string, got number").
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .bigInt, .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var objectValue: JSONObject? { if case .object(let o) = self { return o }; return nil }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    /// An integer, also from a float with no fractional part (1.0) as JSON does not distinguish.
    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9.007_199_254_740_992e15: return Int64(d)
        default: return nil
        }
    }
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .bigInt(let text): return Double(text)
        case .double(let d): return d
        default: return nil
        }
    }
    /// An unsigned 64-bit integer (a record's seq), exact over the whole range.
    public var uint64Value: UInt64? {
        switch self {
        case .int(let i): return UInt64(exactly: i)
        case .bigInt(let text): return UInt64(text)
        default: return nil
        }
    }

    /// Member lookup on objects (nil for other types or a missing member).
    public subscript(key: String) -> JSONValue? { objectValue?[key] }
}

/// An ordered JSON object. Duplicate member names are refused by the parser, so a name
/// appears at most once; lookups are linear, which beats hashing for the handful of members
/// a request or reply carries.
public struct JSONObject: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var members: [(key: String, value: JSONValue)]

    public init() { members = [] }
    public init(_ members: [(String, JSONValue)]) {
        // Tuple labels do not change a tuple's layout, so the array is taken as it is: `map` or
        // `as` would copy every member (and retain and release it), which was an eighth of
        // what a `node.info` call cost inside the JSON-RPC layer (docs/benchmarks.md, "JSON-RPC").
        self.members = unsafeBitCast(members, to: [(key: String, value: JSONValue)].self)
    }
    /// Members already in the stored shape (the parser builds them so, and skips a copy).
    init(labelled members: [(key: String, value: JSONValue)]) { self.members = members }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self.init(elements) }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public var keys: [String] { members.map(\.key) }

    /// Reads a member; assigning replaces it in place or appends it (nil removes it).
    public subscript(key: String) -> JSONValue? {
        get { members.first(where: { $0.key == key })?.value }
        set {
            if let i = members.firstIndex(where: { $0.key == key }) {
                if let newValue { members[i].value = newValue } else { members.remove(at: i) }
            } else if let newValue {
                members.append((key: key, value: newValue))
            }
        }
    }

    public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> { members.makeIterator() }

    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        a.members.count == b.members.count && zip(a.members, b.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
                     ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral,
                     ExpressibleByFloatLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements)) }
    public init(nilLiteral: ()) { self = .null }
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension JSONValue {
    /// Convenience constructors for building replies from Swift values.
    /// Exact for any integer type: what Int64 can not hold is kept as decimal text.
    // Inlinable so each caller gets a copy for its own integer type: unspecialised, the generic
    // conversion went through witness tables for every field of every reply.
    @inlinable
    public static func integer<I: BinaryInteger>(_ v: I) -> JSONValue {
        if let i = Int64(exactly: v) { return .int(i) }
        return .bigInt(String(v))
    }
    public static func strings(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }
    public static func optional(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
}
