/// Named parameters of one call, read through typed accessors that fail with -32602 naming
/// the parameter and the fault. Handlers read what they need and end with `finish()`, which
/// rejects any parameter they did not read, so a typo ("timout_ms") is an error, not a
/// silently ignored option.
public struct RPCParams: Sendable {
    public let object: JSONObject
    /// Prefix for nested paths in error messages ("endpoints[1]").
    public let path: String
    private let consumed: ConsumedKeys

    /// `params` as sent: absent (nil) and `{}` are the same; an array or scalar is refused by
    /// the session before a handler runs (we only take named params).
    public init(_ object: JSONObject = JSONObject(), path: String = "") {
        self.object = object
        self.path = path
        self.consumed = ConsumedKeys()
    }

    private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The raw value of `key`, marking it read; JSON null counts as absent.
    public func raw(_ key: String) -> JSONValue? {
        consumed.insert(key)
        guard let v = object[key] else { return nil }
        if case .null = v { return nil }
        return v
    }

    public func has(_ key: String) -> Bool { raw(key) != nil }

    // MARK: Required / optional scalars

    public func string(_ key: String) throws(RPCError) -> String {
        guard let v = try optionalString(key) else { throw .invalidParams(name(key), "required string is missing") }
        return v
    }

    public func optionalString(_ key: String) throws(RPCError) -> String? {
        guard let v = raw(key) else { return nil }
        guard case .string(let s) = v else { throw .invalidParams(name(key), "expected string, got \(v.typeName)") }
        return s
    }

    public func bool(_ key: String, default value: Bool) throws(RPCError) -> Bool {
        guard let v = raw(key) else { return value }
        guard case .bool(let b) = v else { throw .invalidParams(name(key), "expected boolean, got \(v.typeName)") }
        return b
    }

    public func int(_ key: String, in range: ClosedRange<Int64>) throws(RPCError) -> Int64 {
        guard let v = try optionalInt(key, in: range) else {
            throw .invalidParams(name(key), "required integer is missing")
        }
        return v
    }

    public func int(_ key: String, in range: ClosedRange<Int64>, default value: Int64) throws(RPCError) -> Int64 {
        try optionalInt(key, in: range) ?? value
    }

    public func optionalInt(_ key: String, in range: ClosedRange<Int64>) throws(RPCError) -> Int64? {
        guard let v = raw(key) else { return nil }
        if case .bigInt(let text) = v {
            throw .invalidParams(name(key), "\(text) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
        guard let i = v.intValue else {
            throw .invalidParams(name(key), v.doubleValue != nil ? "expected an integer, got a fraction" : "expected integer, got \(v.typeName)")
        }
        guard range.contains(i) else {
            throw .invalidParams(name(key), "\(i) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
        return i
    }

    /// `timeout_ms` of a slow method: 1 ms ... 10 min, `defaultMs` when absent.
    public func timeout(defaultMs: Int64) throws(RPCError) -> Duration {
        .milliseconds(try int("timeout_ms", in: 1...600_000, default: defaultMs))
    }

    // MARK: Strings with a shape

    /// A string from a fixed set ("good", "bad").
    public func choice(_ key: String, _ allowed: [String], default value: String? = nil) throws(RPCError) -> String {
        guard let s = try optionalString(key) else {
            if let value { return value }
            throw .invalidParams(name(key), "required; one of \(allowed.joined(separator: ", "))")
        }
        guard allowed.contains(s) else { throw .invalidParams(name(key), "\"\(s)\" is not one of \(allowed.joined(separator: ", "))") }
        return s
    }

    /// Standard base64 (RFC 4648 §4, padding required), at most `maxBytes` decoded bytes.
    public func base64(_ key: String, maxBytes: Int) throws(RPCError) -> [UInt8] {
        guard let v = try optionalBase64(key, maxBytes: maxBytes) else { throw .invalidParams(name(key), "required base64 string is missing") }
        return v
    }

    public func optionalBase64(_ key: String, maxBytes: Int) throws(RPCError) -> [UInt8]? {
        guard let s = try optionalString(key) else { return nil }
        guard let bytes = Base64Text.decode(s) else { throw .invalidParams(name(key), "not valid base64") }
        guard bytes.count <= maxBytes else { throw .invalidParams(name(key), "\(bytes.count) bytes; at most \(maxBytes) allowed") }
        return bytes
    }

    // MARK: Containers

    public func stringArray(_ key: String, maxCount: Int, maxLength: Int = 1024) throws(RPCError) -> [String]? {
        guard let v = raw(key) else { return nil }
        guard case .array(let items) = v else { throw .invalidParams(name(key), "expected array of strings, got \(v.typeName)") }
        guard items.count <= maxCount else { throw .invalidParams(name(key), "\(items.count) items; at most \(maxCount) allowed") }
        var out: [String] = []
        out.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item else { throw .invalidParams("\(name(key))[\(i)]", "expected string, got \(item.typeName)") }
            guard s.utf8.count <= maxLength else { throw .invalidParams("\(name(key))[\(i)]", "longer than \(maxLength) bytes") }
            out.append(s)
        }
        return out
    }

    /// A nested object read with its own strict accessor (paths continue: "filter.tags").
    public func nested(_ key: String) throws(RPCError) -> RPCParams? {
        guard let v = raw(key) else { return nil }
        guard case .object(let o) = v else { throw .invalidParams(name(key), "expected object, got \(v.typeName)") }
        return RPCParams(o, path: name(key))
    }

    /// Elements of an array of objects, each as its own `RPCParams` ("records[2]").
    public func objectArray(_ key: String, maxCount: Int) throws(RPCError) -> [RPCParams]? {
        guard let v = raw(key) else { return nil }
        guard case .array(let items) = v else { throw .invalidParams(name(key), "expected array, got \(v.typeName)") }
        guard items.count <= maxCount else { throw .invalidParams(name(key), "\(items.count) items; at most \(maxCount) allowed") }
        var out: [RPCParams] = []
        for (i, item) in items.enumerated() {
            guard case .object(let o) = item else { throw .invalidParams("\(name(key))[\(i)]", "expected object, got \(item.typeName)") }
            out.append(RPCParams(o, path: "\(name(key))[\(i)]"))
        }
        return out
    }

    /// Fails on the first parameter no accessor read. Call after reading every parameter.
    public func finish() throws(RPCError) {
        for key in object.keys where !consumed.contains(key) {
            throw .unknownParam(name(key), known: consumed.all)
        }
    }

    /// Custom validation failure for `key` ("not a valid address: bad checksum").
    public func invalid(_ key: String, _ why: String) -> RPCError { .invalidParams(name(key), why) }
}

/// Which keys a handler read. A class so the value-typed `RPCParams` can be passed around
/// freely while every copy records into the same set; one call runs on one task at a time.
private final class ConsumedKeys: @unchecked Sendable {
    private var keys: Set<String> = []
    func insert(_ k: String) { keys.insert(k) }
    func contains(_ k: String) -> Bool { keys.contains(k) }
    var all: [String] { keys.sorted() }
}
