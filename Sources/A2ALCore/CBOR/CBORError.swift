/// Why CBOR bytes could not be decoded, or did not fit the expected schema.
public enum CBORError: Error, Equatable, Sendable, CustomStringConvertible {
    // Well-formedness.
    case truncated(at: Int)
    case trailingBytes(count: Int)
    case reservedAdditionalInfo(byte: UInt8, at: Int)
    case unexpectedBreak(at: Int)
    case indefiniteLengthNotAllowed(major: UInt8, at: Int)
    case badIndefiniteChunk(at: Int)
    case invalidSimpleValue(UInt8, at: Int)
    case invalidUTF8(at: Int)
    case lengthTooLarge(at: Int)
    // Resource limits against hostile input.
    case depthExceeded(limit: Int)
    case tooManyItems(limit: Int)
    // Schema (typed decoding).
    case typeMismatch(field: String, expected: String, got: String)
    case integerOverflow(field: String, max: UInt64)
    case badMapKey(field: String, got: String)
    case badLength(field: String, expected: String, got: Int)
    case invalidValue(field: String, reason: String)

    public var description: String {
        switch self {
        case .truncated(let at): return "CBOR truncated at byte \(at)"
        case .trailingBytes(let n): return "\(n) trailing byte(s) after the CBOR item"
        case .reservedAdditionalInfo(let b, let at): return "reserved additional info in byte 0x\(String(b, radix: 16)) at \(at)"
        case .unexpectedBreak(let at): return "unexpected break code at byte \(at)"
        case .indefiniteLengthNotAllowed(let m, let at): return "indefinite length not allowed for major type \(m) at byte \(at)"
        case .badIndefiniteChunk(let at): return "bad chunk in indefinite-length string at byte \(at)"
        case .invalidSimpleValue(let v, let at): return "invalid two-byte simple value \(v) at byte \(at)"
        case .invalidUTF8(let at): return "text string at byte \(at) is not valid UTF-8"
        case .lengthTooLarge(let at): return "declared length at byte \(at) exceeds the input"
        case .depthExceeded(let l): return "nesting deeper than \(l)"
        case .tooManyItems(let l): return "more than \(l) items in one array or map"
        case .typeMismatch(let f, let e, let g): return "\(f): expected \(e), got \(g)"
        case .integerOverflow(let f, let m): return "\(f): integer exceeds \(m)"
        case .badMapKey(let f, let g): return "\(f): map key of type \(g) is not allowed"
        case .badLength(let f, let e, let g): return "\(f): length \(g), expected \(e)"
        case .invalidValue(let f, let r): return "\(f): \(r)"
        }
    }
}

/// Decoder limits; the defaults are the reference decoder's (fxamacker/cbor v2.7.0).
public struct CBORLimits: Sendable {
    public var maxDepth: Int
    public var maxArrayElements: Int
    public var maxMapPairs: Int

    public init(maxDepth: Int, maxArrayElements: Int, maxMapPairs: Int) {
        self.maxDepth = maxDepth
        self.maxArrayElements = maxArrayElements
        self.maxMapPairs = maxMapPairs
    }

    public static let `default` = CBORLimits(maxDepth: 32, maxArrayElements: 131_072, maxMapPairs: 131_072)
}
