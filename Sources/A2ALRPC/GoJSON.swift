/// The text Go's `json.Encoder` with `SetIndent("", "  ")` writes, byte for byte, so the debug
/// pages (docs/architecture.md, "A2ALDebugHTTP") can be diffed against the reference node's. It is
/// `JSONWriter.pretty` with Go's spelling of strings and floats and the encoder's trailing
/// newline; objects keep their members in order. Go rejects NaN and ±Inf; here they are `null`
/// so a bad statistic can never make a page fail.
public enum GoJSON {
    public static func encode(_ value: JSONValue) -> String {
        JSONWriter.pretty(value, indent: indentWidth, dialect: .go) + "\n"
    }

    /// One level of Go's `SetIndent("", "  ")`.
    static let indentWidth = 2

    private static let hexDigits = Array("0123456789abcdef")

    /// Go's `encodeState.string` with HTML escaping on (the `json.Encoder` default): `"` and `\`
    /// backslashed; \b \f \n \r \t short forms; other controls and `<` `>` `&` (HTML-safe) and
    /// U+2028/U+2029 (JSONP-safe) as `\u00XX` / `\u2028` with lowercase hex.
    public static func quoted(_ s: String) -> String {
        var out = "\""
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
        return out
    }

    /// `\uXXXX` for a BMP code point (every escaped scalar above is in the BMP).
    private static func appendUnicodeEscape(_ v: UInt32, to out: inout String) {
        out.append("\\u")
        for shift in stride(from: 12, through: 0, by: -4) {
            out.append(hexDigits[Int((v >> UInt32(shift)) & 0xF)])
        }
    }
}
