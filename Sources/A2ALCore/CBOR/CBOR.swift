/// A decoded CBOR data item (RFC 8949), as far as the A2AL protocol needs one.
///
/// Maps keep their entries in wire order (duplicates included) so that schema decoding can
/// apply the reference decoder's "first occurrence wins" rule.
public enum CBOR: Sendable, Hashable {
    case unsigned(UInt64)
    /// A negative integer with value `-1 - n`.
    case negative(UInt64)
    case bytes([UInt8])
    case text(String)
    case array([CBOR])
    case map([CBORPair])
    // Only the tag case needs a box: arrays and maps already live on the heap, and boxing
    // every scalar would cost an allocation per decoded item.
    indirect case tagged(UInt64, CBOR)
    case bool(Bool)
    case null
    case undefined
    /// Any other simple value (major type 7, 0–19 or 32–255).
    case simple(UInt8)
    case float(Double)

    /// A short human name of the item's kind, used in error messages.
    public var kindName: String {
        switch self {
        case .unsigned: return "unsigned integer"
        case .negative: return "negative integer"
        case .bytes: return "byte string"
        case .text: return "text string"
        case .array: return "array"
        case .map: return "map"
        case .tagged(let t, _): return "tag \(t)"
        case .bool: return "bool"
        case .null: return "null"
        case .undefined: return "undefined"
        case .simple(let v): return "simple value \(v)"
        case .float: return "float"
        }
    }
}

/// One map entry.
public struct CBORPair: Sendable, Hashable {
    public var key: CBOR
    public var value: CBOR
    public init(_ key: CBOR, _ value: CBOR) {
        self.key = key
        self.value = value
    }
}

extension CBOR {
    /// Canonical encoding of this item (§2.1 of docs/protocol.md).
    public var encoded: [UInt8] {
        var w = CBORWriter()
        w.value(self)
        return w.bytes
    }

    /// Decodes exactly one item from `bytes` with the default limits; trailing bytes are an error.
    public static func decode(_ bytes: [UInt8], limits: CBORLimits = .default) throws(CBORError) -> CBOR {
        var reader = CBORReader(bytes: bytes, limits: limits)
        return try reader.readSingleItem()
    }
}
