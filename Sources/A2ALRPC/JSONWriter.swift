/// JSON serialisation: compact bytes for the wire (one reply per line, so never a raw
/// newline) and an indented form for people (the CLI).
///
/// Strings escape only what JSON requires (`"`, `\` and control characters); `/` and
/// non-ASCII text go out as they are. Doubles use Swift's shortest round-trip text, which is
/// valid JSON ("3.0", "0.1", "1e+20", "5e-324"); non-finite doubles have no JSON form and
/// are written as `null`.
public enum JSONWriter {
    /// How strings and doubles are spelled: this project's (only what JSON requires escaped,
    /// Swift's shortest doubles) or Go's `encoding/json` (`GoJSON`).
    enum Dialect {
        case standard
        case go
    }

    public static func write(_ value: JSONValue) -> [UInt8] {
        var out = JSONOutput()
        write(value, to: &out)
        return out.finish()
    }

    public static func write(_ object: JSONObject) -> [UInt8] {
        var out = JSONOutput()
        write(object, to: &out)
        return out.finish()
    }

    /// Appends the compact form of `value` to `out`.
    public static func append(_ value: JSONValue, to out: inout [UInt8]) {
        out.append(contentsOf: write(value))
    }

    public static func append(_ object: JSONObject, to out: inout [UInt8]) {
        out.append(contentsOf: write(object))
    }

    /// Indented text: `indent` spaces per level, `"key": value`, empty containers as `{}`/`[]`.
    public static func pretty(_ value: JSONValue, indent: Int = 2) -> String {
        pretty(value, indent: indent, dialect: .standard)
    }

    static func pretty(_ value: JSONValue, indent: Int, dialect: Dialect) -> String {
        var out = JSONOutput()
        writePretty(value, indent: max(0, indent), level: 0, dialect: dialect, to: &out)
        return String(decoding: out.finish(), as: UTF8.self)
    }

    // MARK: Compact form

    static func write(_ value: JSONValue, to out: inout JSONOutput) {
        switch value {
        case .null: out.append("null")
        case .bool(let b): out.append(b ? "true" : "false")
        case .int(let i): out.appendDecimal(i)
        case .bigInt(let text): writeRaw(text, to: &out)
        case .double(let d): writeDouble(d, to: &out)
        case .string(let s): writeString(s, to: &out)
        case .array(let items):
            out.append(Byte.openBracket)
            var first = true
            for item in items {
                if !first { out.append(Byte.comma) }
                first = false
                write(item, to: &out)
            }
            out.append(Byte.closeBracket)
        case .object(let object): write(object, to: &out)
        }
    }

    static func write(_ object: JSONObject, to out: inout JSONOutput) {
        out.append(Byte.openBrace)
        var first = true
        for member in object.members {
            if !first { out.append(Byte.comma) }
            first = false
            writeString(member.key, to: &out)
            out.append(Byte.colon)
            write(member.value, to: &out)
        }
        out.append(Byte.closeBrace)
    }

    static func writeString(_ string: String, to out: inout JSONOutput) {
        out.append(Byte.quote)
        let done: Void? = string.utf8.withContiguousStorageIfAvailable { writeEscaped($0, to: &out) }
        if done == nil {
            let bytes = Array(string.utf8)
            bytes.withUnsafeBufferPointer { writeEscaped($0, to: &out) }
        }
        out.append(Byte.quote)
    }

    /// Copies runs that need no escaping in one go; escapes the rest.
    private static func writeEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout JSONOutput) {
        var runStart = 0
        while true {
            let k = ByteScan.firstSpecial(bytes, from: runStart, stopAtNonASCII: false)
            if runStart < k { out.append(UnsafeBufferPointer(rebasing: bytes[runStart..<k])) }
            guard k < bytes.count else { return }
            writeEscape(bytes[k], to: &out)
            runStart = k + 1
        }
    }

    private static func writeEscape(_ c: UInt8, to out: inout JSONOutput) {
        switch c {
        case Byte.quote: out.append(#"\""#)
        case Byte.backslash: out.append(#"\\"#)
        case 0x08: out.append(#"\b"#)
        case 0x0C: out.append(#"\f"#)
        case 0x0A: out.append(#"\n"#)
        case 0x0D: out.append(#"\r"#)
        case 0x09: out.append(#"\t"#)
        default:
            let hex: StaticString = "0123456789abcdef"
            out.append(#"\u00"#)
            hex.withUTF8Buffer { digits in
                out.append(digits[Int(c >> 4)])
                out.append(digits[Int(c & 0x0F)])
            }
        }
    }

    private static func writeDouble(_ value: Double, to out: inout JSONOutput) {
        guard value.isFinite else {
            out.append("null")
            return
        }
        writeRaw(value.description, to: &out)
    }

    /// Text that is already valid JSON (a number's digits), copied as it is.
    private static func writeRaw(_ text: String, to out: inout JSONOutput) {
        text.utf8.withContiguousStorageIfAvailable { out.append($0) } ?? out.append(Array(text.utf8))
    }

    // MARK: Pretty form

    private static func writePretty(_ value: JSONValue, indent: Int, level: Int, dialect: Dialect,
                                    to out: inout JSONOutput) {
        switch value {
        case .array(let items) where !items.isEmpty:
            out.append(Byte.openBracket)
            var first = true
            for item in items {
                if !first { out.append(Byte.comma) }
                first = false
                newline(indent: indent, level: level + 1, to: &out)
                writePretty(item, indent: indent, level: level + 1, dialect: dialect, to: &out)
            }
            newline(indent: indent, level: level, to: &out)
            out.append(Byte.closeBracket)
        case .object(let object) where !object.isEmpty:
            out.append(Byte.openBrace)
            var first = true
            for member in object.members {
                if !first { out.append(Byte.comma) }
                first = false
                newline(indent: indent, level: level + 1, to: &out)
                writeScalar(.string(member.key), dialect: dialect, to: &out)
                out.append(": ")
                writePretty(member.value, indent: indent, level: level + 1, dialect: dialect, to: &out)
            }
            newline(indent: indent, level: level, to: &out)
            out.append(Byte.closeBrace)
        default:
            writeScalar(value, dialect: dialect, to: &out)
        }
    }

    /// A scalar or an empty container.
    private static func writeScalar(_ value: JSONValue, dialect: Dialect, to out: inout JSONOutput) {
        switch (dialect, value) {
        case (.go, .string(let s)): out.append(Array(GoJSON.quoted(s).utf8))
        case (.go, .double(let d)): out.append(Array(GoJSON.float(d).utf8))
        default: write(value, to: &out)
        }
    }

    private static func newline(indent: Int, level: Int, to out: inout JSONOutput) {
        out.append(Byte.newline)
        out.appendSpaces(indent * level)
    }
}

extension JSONValue {
    /// The compact JSON text of this value (what goes on the wire, without the newline).
    public var compactText: String { String(decoding: JSONWriter.write(self), as: UTF8.self) }
}

extension JSONObject {
    /// The compact JSON text of this object.
    public var compactText: String { String(decoding: JSONWriter.write(self), as: UTF8.self) }
}
