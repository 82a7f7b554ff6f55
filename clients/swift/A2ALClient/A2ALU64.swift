import A2ALRPC

/// A 64-bit value as the daemon sends it: a decimal string (a record's `seq`, a mailbox
/// `cursor`; docs/jsonrpc.md, "Safe integers"). Use it in `Decodable` result types where a
/// `UInt64` would fail on the string; it also reads a plain JSON integer, and encodes as the
/// string, which params such as `since` take.
public struct A2ALU64: Codable, Sendable, Hashable, CustomStringConvertible {
    public let value: UInt64

    public init(_ value: UInt64) { self.value = value }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) {
            guard let v = SafeInteger.parse(s) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "\"\(s.prefix(40))\" is not a u64 decimal string")
            }
            value = v
        } else {
            value = try c.decode(UInt64.self)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(String(value))
    }

    public var description: String { String(value) }
}
