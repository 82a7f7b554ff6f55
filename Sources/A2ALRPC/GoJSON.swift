/// A minimal JSON value whose text is byte-for-byte what Go's `json.Encoder` with
/// `SetIndent("", "  ")` writes (node.md §9.2), so the debug routes can be diffed against the
/// reference node. Foundation's `JSONSerialization` is not used because it neither keeps key
/// order nor escapes like Go.
///
/// Objects keep their keys in insertion order. Go rejects NaN and ±Inf; here they encode as
/// `null` so a bad statistic can never make a debug page fail.
public indirect enum DebugJSON: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case array([DebugJSON])
    case object([(key: String, value: DebugJSON)])

    /// One level of Go's `SetIndent("", "  ")`.
    static let indentUnit = "  "

    /// The pretty-printed text with the encoder's trailing newline.
    public var encoded: String {
        var out = ""
        write(to: &out, depth: 0)
        out.append("\n")
        return out
    }

    private func write(to out: inout String, depth: Int) {
        switch self {
        case .null: out.append("null")
        case .bool(let b): out.append(b ? "true" : "false")
        case .int(let i): out.append(String(i))
        case .uint(let u): out.append(String(u))
        case .double(let d): out.append(DebugJSON.goFloat(d))
        case .string(let s): DebugJSON.appendQuoted(s, to: &out)
        case .array(let items):
            // Go writes empty containers without a line break.
            guard !items.isEmpty else { return out.append("[]") }
            out.append("[")
            for (i, item) in items.enumerated() {
                out.append(i == 0 ? "\n" : ",\n")
                DebugJSON.indent(&out, depth + 1)
                item.write(to: &out, depth: depth + 1)
            }
            out.append("\n")
            DebugJSON.indent(&out, depth)
            out.append("]")
        case .object(let members):
            guard !members.isEmpty else { return out.append("{}") }
            out.append("{")
            for (i, member) in members.enumerated() {
                out.append(i == 0 ? "\n" : ",\n")
                DebugJSON.indent(&out, depth + 1)
                DebugJSON.appendQuoted(member.key, to: &out)
                out.append(": ")
                member.value.write(to: &out, depth: depth + 1)
            }
            out.append("\n")
            DebugJSON.indent(&out, depth)
            out.append("}")
        }
    }

    private static func indent(_ out: inout String, _ depth: Int) {
        for _ in 0..<depth { out.append(indentUnit) }
    }

    private static let hexDigits = Array("0123456789abcdef")

    /// Go's `encodeState.string` with HTML escaping on (the `json.Encoder` default): `"` and `\`
    /// backslashed; \b \f \n \r \t short forms; other controls and `<` `>` `&` (HTML-safe) and
    /// U+2028/U+2029 (JSONP-safe) as `\u00XX` / `\u2028` with lowercase hex.
    static func appendQuoted(_ s: String, to out: inout String) {
        out.append("\"")
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\u{08}": out.append("\\b")
            case "\u{0C}": out.append("\\f")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                appendUnicodeEscape(scalar.value, to: &out)
            default:
                if scalar.value < 0x20 {
                    appendUnicodeEscape(scalar.value, to: &out)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out.append("\"")
    }

    /// `\uXXXX` for a BMP code point (every escaped scalar above is in the BMP).
    private static func appendUnicodeEscape(_ v: UInt32, to out: inout String) {
        out.append("\\u")
        for shift in stride(from: 12, through: 0, by: -4) {
            out.append(hexDigits[Int((v >> UInt32(shift)) & 0xF)])
        }
    }
}
