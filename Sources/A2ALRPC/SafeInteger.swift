/// 64-bit quantities that can pass 2^53 (a record's `seq`, a mailbox cursor) travel as
/// decimal strings, because jq and JavaScript read every JSON number as a double and would
/// round them silently (docs/jsonrpc.md, "Framing and protocol"). Params take either form.
extension JSONValue {
    /// An unsigned 64-bit value as its decimal text ("1764160000123456789").
    public static func decimal(_ v: UInt64) -> JSONValue { .string(String(v)) }

    /// The value of a u64 given as a decimal string or a JSON integer; nil for anything else
    /// (`RPCParams.optionalU64` says which fault).
    public var u64FromEither: UInt64? {
        switch self {
        case .string(let s): return SafeInteger.parse(s)
        default: return uint64Value
        }
    }
}

public enum SafeInteger {
    /// Plain decimal digits only: no sign, no spaces, no exponent, no leading zeros, at most
    /// 18446744073709551615.
    public static func parse(_ text: String) -> UInt64? {
        let u = Array(text.utf8)
        guard !u.isEmpty, u.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        guard u.count == 1 || u[0] != 0x30 else { return nil }
        return UInt64(text)
    }
}

extension RPCParams {
    /// A u64 parameter sent as a decimal string or a JSON integer; fractions, negatives,
    /// values above 2^64-1 and other text are `-32602` naming the parameter.
    public func optionalU64(_ key: String) throws(RPCError) -> UInt64? {
        guard let v = raw(key) else { return nil }
        let field = path.isEmpty ? key : "\(path).\(key)"
        switch v {
        case .string(let s):
            guard let n = SafeInteger.parse(s) else {
                let why = s.first == "-" ? "must not be negative"
                    : (s.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } && !s.isEmpty && s.first != "0"
                       ? "\(s) is above 18446744073709551615" : "\"\(s.prefix(40))\" is not a decimal integer")
                throw .invalidParams(field, why)
            }
            return n
        case .int(let i):
            guard let n = UInt64(exactly: i) else { throw .invalidParams(field, "must not be negative") }
            return n
        case .bigInt(let text):
            guard let n = UInt64(text) else {
                throw .invalidParams(field, text.hasPrefix("-") ? "must not be negative" : "\(text) is above 18446744073709551615")
            }
            return n
        case .double:
            throw .invalidParams(field, "expected an integer (a decimal string or a JSON integer), got a fraction")
        default:
            throw .invalidParams(field, "expected an integer as a decimal string or a JSON integer, got \(v.typeName)")
        }
    }
}
