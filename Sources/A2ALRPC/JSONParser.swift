/// Strict RFC 8259 JSON parser over raw bytes. Every request line goes through it, so it
/// walks the bytes with an index (no per-character String work) and only builds Strings for
/// string values, straight from the input when they hold no escapes.
///
/// Strict means: no comments, trailing commas, NaN/Infinity, leading zeros, raw control
/// characters or invalid UTF-8 in strings, lone surrogates in `\u` escapes, or duplicate
/// member names; whitespace around the value is allowed, anything else after it is not.
/// Integers that fit Int64 become `.int`, larger integers `.bigInt` (their digits kept), other
/// numbers `.double` (a number too large for a Double is refused rather than turned into
/// infinity). Nesting is capped at `maxDepth` so
/// a line of 100,000 '[' is an error, not a stack overflow.
public enum JSONParser {
    /// Arrays and objects nested deeper than this are refused.
    public static let maxDepth = 64

    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        let parsed: Result<JSONValue, JSONParseError> = bytes.withUnsafeBufferPointer { parseResult($0) }
        return try parsed.get()
    }

    /// Offsets in errors count from the start of the slice.
    public static func parse(_ bytes: ArraySlice<UInt8>) throws(JSONParseError) -> JSONValue {
        let parsed: Result<JSONValue, JSONParseError> = bytes.withUnsafeBufferPointer { parseResult($0) }
        return try parsed.get()
    }

    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        var text = text
        let parsed: Result<JSONValue, JSONParseError> = text.withUTF8 { parseResult($0) }
        return try parsed.get()
    }

    private static func parseResult(_ buffer: UnsafeBufferPointer<UInt8>) -> Result<JSONValue, JSONParseError> {
        var reader = JSONReader(buffer)
        do throws(JSONParseError) {
            return .success(try reader.document())
        } catch {
            return .failure(error)
        }
    }
}
