/// The fields of a CBOR map decoded into a struct with integer keys, with the reference
/// decoder's rules (fxamacker/cbor v2.7.0 `keyasint` structs):
/// - a `null`/`undefined` item decodes to a struct with every field at its zero value;
/// - unsigned keys name fields; a text key equal to a field number's decimal text ("1") also
///   names it; negative and other text keys are unknown and ignored; any other key type fails;
/// - the first occurrence of a duplicated key wins;
/// - absent fields and `null`/`undefined` values read as zero values (0, "", false, nil).
public struct CBORFields: Sendable {
    /// Field numbers we ever use are 1…15.
    static let maxField = 15
    /// The map's entries, in wire order.
    private let pairs: [CBORPair]
    /// For field k, byte k holds 1 + the index of its first occurrence in `pairs` (0 = absent).
    /// Two words instead of an array: decoding a contact list builds one of these per contact,
    /// and a heap-allocated slot table was the largest cost of the whole decode.
    private var slotsLow: UInt64 = 0, slotsHigh: UInt64 = 0
    /// First occurrences past index 254, which only odd or hostile maps produce.
    private var farSlots: [Int: Int] = [:]
    public let context: String

    public init(_ item: CBOR, context: String) throws(CBORError) {
        self.context = context
        switch CBORFields.untag(item) {
        case .null, .undefined:
            pairs = []
        case .map(let entries):
            pairs = entries
            for (i, p) in entries.enumerated() {
                let key: Int?
                switch CBORFields.untag(p.key) {
                case .unsigned(let n): key = n <= UInt64(CBORFields.maxField) ? Int(n) : nil
                case .negative: key = nil
                case .text(let s): key = CBORFields.fieldNumber(text: s)
                case let other: throw .badMapKey(field: context, got: other.kindName)
                }
                if let key, slotIndex(key) == nil { setSlot(key, index: i) }
            }
        case let other:
            throw .typeMismatch(field: context, expected: "map", got: other.kindName)
        }
    }

    private func slotIndex(_ key: Int) -> Int? {
        let word = key < 8 ? slotsLow : slotsHigh
        let byte = Int((word >> UInt64((key & 7) * 8)) & 0xff)
        if byte != 0 { return byte - 1 }
        return farSlots[key]
    }

    private mutating func setSlot(_ key: Int, index: Int) {
        guard index < 255 else { farSlots[key] = index; return }
        let bits = UInt64(index + 1) << UInt64((key & 7) * 8)
        if key < 8 { slotsLow |= bits } else { slotsHigh |= bits }
    }

    /// The field number a map key names under these rules (nil for keys that name no field).
    public static func fieldNumber(of key: CBOR) -> Int? {
        switch untag(key) {
        case .unsigned(let n): return n <= UInt64(maxField) ? Int(n) : nil
        case .text(let s): return fieldNumber(text: s)
        default: return nil
        }
    }

    /// "1"…"15" (exact decimal text, as Go's field name) → the number.
    private static func fieldNumber(text: String) -> Int? {
        guard let n = Int(text), n >= 0, n <= maxField, String(n) == text else { return nil }
        return n
    }

    /// Strips tags that the reference decodes transparently; tags 0–3 (date/time and bignums)
    /// would need type-specific handling that no A2AL field wants, so they are not unwrapped
    /// and therefore fail the type check of the field.
    public static func untag(_ item: CBOR) -> CBOR {
        var v = item
        while case .tagged(let t, let inner) = v, t > 3 { v = inner }
        return v
    }

    private func name(_ key: Int) -> String { "\(context).\(key)" }

    /// The raw value of field `key` with transparent tags stripped, nil when absent.
    public func value(_ key: Int) -> CBOR? {
        guard key >= 0, key <= CBORFields.maxField, let i = slotIndex(key) else { return nil }
        return CBORFields.untag(pairs[i].value)
    }

    public func has(_ key: Int) -> Bool { key >= 0 && key <= CBORFields.maxField && slotIndex(key) != nil }

    /// An unsigned integer no larger than `max` (Go uint8/16/32/64 fields).
    public func uint(_ key: Int, max: UInt64 = .max) throws(CBORError) -> UInt64 {
        switch value(key) {
        case nil, .null?, .undefined?: return 0
        case .unsigned(let n)?:
            guard n <= max else { throw .integerOverflow(field: name(key), max: max) }
            return n
        case let other?: throw .typeMismatch(field: name(key), expected: "unsigned integer", got: other.kindName)
        }
    }

    public func bool(_ key: Int) throws(CBORError) -> Bool {
        switch value(key) {
        case nil, .null?, .undefined?: return false
        case .bool(let b)?: return b
        case let other?: throw .typeMismatch(field: name(key), expected: "bool", got: other.kindName)
        }
    }

    public func text(_ key: Int) throws(CBORError) -> String {
        switch value(key) {
        case nil, .null?, .undefined?: return ""
        case .text(let s)?: return s
        case let other?: throw .typeMismatch(field: name(key), expected: "text string", got: other.kindName)
        }
    }

    /// A byte string; nil when absent or null (the nil-vs-empty distinction is kept).
    public func bytes(_ key: Int) throws(CBORError) -> [UInt8]? {
        switch value(key) {
        case nil, .null?, .undefined?: return nil
        case .bytes(let b)?: return b
        case let other?: throw .typeMismatch(field: name(key), expected: "byte string", got: other.kindName)
        }
    }

    /// A byte string that must be exactly `count` bytes long when present; nil when absent/null.
    public func bytes(_ key: Int, count: Int) throws(CBORError) -> [UInt8]? {
        guard let b = try bytes(key) else { return nil }
        guard b.count == count else { throw .badLength(field: name(key), expected: "\(count)", got: b.count) }
        return b
    }

    /// An array; nil when absent or null.
    public func array(_ key: Int) throws(CBORError) -> [CBOR]? {
        switch value(key) {
        case nil, .null?, .undefined?: return nil
        case .array(let items)?: return items
        case let other?: throw .typeMismatch(field: name(key), expected: "array", got: other.kindName)
        }
    }

    /// A list of text strings; nil when absent or null. Null elements read as "".
    public func textArray(_ key: Int) throws(CBORError) -> [String]? {
        guard let items = try array(key) else { return nil }
        var out: [String] = []
        out.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            switch CBORFields.untag(item) {
            case .text(let s): out.append(s)
            case .null, .undefined: out.append("")
            case let other: throw .typeMismatch(field: "\(name(key))[\(i)]", expected: "text string", got: other.kindName)
            }
        }
        return out
    }

    /// A nested struct; absent or null gives nil so the caller can pick a zero value.
    public func nested(_ key: Int) throws(CBORError) -> CBORFields? {
        guard let v = value(key) else { return nil }
        if case .null = v { return nil }
        if case .undefined = v { return nil }
        return try CBORFields(v, context: name(key))
    }
}
