/// Decodes CBOR the way the reference's receivers do (fxamacker/cbor v2.7.0 defaults):
/// definite and indefinite lengths, non-minimal heads, any key order, tags kept (55799
/// self-describe stripped), floats and simple values; malformed input is a typed error.
///
/// Hostile input cannot exhaust memory or stack: nesting is capped at `limits.maxDepth`,
/// item counts at the limits, and no declared length may exceed the bytes that remain.
public struct CBORReader: Sendable {
    public let bytes: [UInt8]
    public private(set) var position: Int
    let limits: CBORLimits

    /// The self-describe tag, which the reference strips wherever it appears.
    static let selfDescribeTag: UInt64 = 55799

    public init(bytes: [UInt8], limits: CBORLimits = .default) {
        self.bytes = bytes
        self.position = 0
        self.limits = limits
    }

    /// Reads one item and requires that nothing follows it.
    public mutating func readSingleItem() throws(CBORError) -> CBOR {
        let item = try readItem(depth: 0)
        if position != bytes.count { throw .trailingBytes(count: bytes.count - position) }
        return item
    }

    /// Reads one item and returns it with the exact bytes it occupied.
    public mutating func readItemWithRaw() throws(CBORError) -> (CBOR, ArraySlice<UInt8>) {
        let start = position
        let item = try readItem(depth: 0)
        return (item, bytes[start..<position])
    }

    /// Reads a top-level map and returns, per entry, its key and the byte range its value
    /// occupies (definite or indefinite map). Nil when the item at the current position is not
    /// a map. Used to verify a signature over a message's header and body exactly as received.
    public mutating func readMapValueRanges() throws(CBORError) -> [(key: CBOR, value: Range<Int>)]? {
        guard position < bytes.count, bytes[position] >> 5 == 5 else { return nil }
        let start = position
        let initial = try byte()
        let ai = initial & 0x1f
        var out: [(key: CBOR, value: Range<Int>)] = []
        func entry(_ r: inout CBORReader) throws(CBORError) -> (key: CBOR, value: Range<Int>) {
            let k = try r.readItem(depth: 1)
            let from = r.position
            _ = try r.readItem(depth: 1)
            return (k, from..<r.position)
        }
        if ai == 31 {
            while try !consumeBreak() {
                guard out.count < limits.maxMapPairs else { throw .tooManyItems(limit: limits.maxMapPairs) }
                out.append(try entry(&self))
            }
        } else {
            let n = try readLength(ai, minBytesPerUnit: 2, at: start)
            guard n <= limits.maxMapPairs else { throw .tooManyItems(limit: limits.maxMapPairs) }
            for _ in 0..<n { out.append(try entry(&self)) }
        }
        return out
    }

    // MARK: - Internals

    @inline(__always)
    private mutating func byte() throws(CBORError) -> UInt8 {
        guard position < bytes.count else { throw .truncated(at: position) }
        defer { position += 1 }
        return bytes[position]
    }

    /// Reads the argument of a head with additional info `ai` (< 28).
    @inline(__always)
    private mutating func argument(_ ai: UInt8) throws(CBORError) -> UInt64 {
        switch ai {
        case 0..<24: return UInt64(ai)
        case 24: return UInt64(try byte())
        case 25, 26, 27:
            let n = 1 << Int(ai - 24)  // 2, 4 or 8 bytes
            guard bytes.count - position >= n else { throw .truncated(at: position) }
            var v: UInt64 = 0
            for i in 0..<n { v = v << 8 | UInt64(bytes[position + i]) }
            position += n
            return v
        default:
            throw .reservedAdditionalInfo(byte: ai, at: position - 1)
        }
    }

    /// Reads a length argument that must fit in what remains (each unit needs at least
    /// `minBytesPerUnit` bytes), so a hostile length cannot make us allocate or over-read.
    /// Mutating on purpose: the argument must be consumed before `position` is compared.
    private mutating func readLength(_ ai: UInt8, minBytesPerUnit: Int, at: Int) throws(CBORError) -> Int {
        let v = try argument(ai)
        let remaining = UInt64(bytes.count - position)
        guard v <= remaining / UInt64(minBytesPerUnit) else { throw .lengthTooLarge(at: at) }
        return Int(v)
    }

    private mutating func readItem(depth: Int) throws(CBORError) -> CBOR {
        let start = position
        let initial = try byte()
        let major = initial >> 5
        let ai = initial & 0x1f
        if ai >= 28 && ai <= 30 { throw .reservedAdditionalInfo(byte: initial, at: start) }

        switch major {
        case 0:
            if ai == 31 { throw .indefiniteLengthNotAllowed(major: 0, at: start) }
            return .unsigned(try argument(ai))
        case 1:
            if ai == 31 { throw .indefiniteLengthNotAllowed(major: 1, at: start) }
            return .negative(try argument(ai))
        case 2:
            return .bytes(try readString(major: 2, ai: ai, start: start))
        case 3:
            let raw = try readString(major: 3, ai: ai, start: start)
            guard let s = String(validating: raw, as: UTF8.self) else { throw .invalidUTF8(at: start) }
            return .text(s)
        case 4:
            guard depth < limits.maxDepth else { throw .depthExceeded(limit: limits.maxDepth) }
            var items: [CBOR] = []
            if ai == 31 {
                while try !consumeBreak() {
                    guard items.count < limits.maxArrayElements else { throw .tooManyItems(limit: limits.maxArrayElements) }
                    items.append(try readItem(depth: depth + 1))
                }
            } else {
                let n = try readLength(ai, minBytesPerUnit: 1, at: start)
                guard n <= limits.maxArrayElements else { throw .tooManyItems(limit: limits.maxArrayElements) }
                items.reserveCapacity(n)
                for _ in 0..<n { items.append(try readItem(depth: depth + 1)) }
            }
            return .array(items)
        case 5:
            guard depth < limits.maxDepth else { throw .depthExceeded(limit: limits.maxDepth) }
            var pairs: [CBORPair] = []
            if ai == 31 {
                while try !consumeBreak() {
                    guard pairs.count < limits.maxMapPairs else { throw .tooManyItems(limit: limits.maxMapPairs) }
                    let k = try readItem(depth: depth + 1)
                    let v = try readItem(depth: depth + 1)
                    pairs.append(CBORPair(k, v))
                }
            } else {
                let n = try readLength(ai, minBytesPerUnit: 2, at: start)
                guard n <= limits.maxMapPairs else { throw .tooManyItems(limit: limits.maxMapPairs) }
                pairs.reserveCapacity(n)
                for _ in 0..<n {
                    let k = try readItem(depth: depth + 1)
                    let v = try readItem(depth: depth + 1)
                    pairs.append(CBORPair(k, v))
                }
            }
            return .map(pairs)
        case 6:
            if ai == 31 { throw .indefiniteLengthNotAllowed(major: 6, at: start) }
            guard depth < limits.maxDepth else { throw .depthExceeded(limit: limits.maxDepth) }
            let tag = try argument(ai)
            let inner = try readItem(depth: depth + 1)
            return tag == CBORReader.selfDescribeTag ? inner : .tagged(tag, inner)
        default:  // 7
            switch ai {
            case 20: return .bool(false)
            case 21: return .bool(true)
            case 22: return .null
            case 23: return .undefined
            case 24:
                let v = try byte()
                // RFC 8949 §3.3: simple values below 32 must use the one-byte form.
                if v < 32 { throw .invalidSimpleValue(v, at: start) }
                return .simple(v)
            case 25:
                return .float(FloatBits.halfToDouble(UInt16(try argument(25))))
            case 26:
                return .float(Double(Float(bitPattern: UInt32(try argument(26)))))
            case 27:
                return .float(Double(bitPattern: try argument(27)))
            case 31:
                throw .unexpectedBreak(at: start)
            default:
                return .simple(ai)
            }
        }
    }

    /// Consumes a break code if one is next.
    private mutating func consumeBreak() throws(CBORError) -> Bool {
        guard position < bytes.count else { throw .truncated(at: position) }
        if bytes[position] == 0xff { position += 1; return true }
        return false
    }

    /// Reads a byte or text string body, definite or chunked.
    private mutating func readString(major: UInt8, ai: UInt8, start: Int) throws(CBORError) -> [UInt8] {
        if ai != 31 {
            let n = try readLength(ai, minBytesPerUnit: 1, at: start)
            defer { position += n }
            return Array(bytes[position..<position + n])
        }
        var out: [UInt8] = []
        while try !consumeBreak() {
            let chunkStart = position
            let h = try byte()
            // Chunks must be definite strings of the same major type.
            guard h >> 5 == major, h & 0x1f != 31 else { throw .badIndefiniteChunk(at: chunkStart) }
            if h & 0x1f >= 28 { throw .reservedAdditionalInfo(byte: h, at: chunkStart) }
            let n = try readLength(h & 0x1f, minBytesPerUnit: 1, at: chunkStart)
            if major == 3 && String(validating: bytes[position..<position + n], as: UTF8.self) == nil {
                throw .invalidUTF8(at: chunkStart)
            }
            out.append(contentsOf: bytes[position..<position + n])
            position += n
        }
        return out
    }
}
