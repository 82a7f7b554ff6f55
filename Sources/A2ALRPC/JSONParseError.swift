/// Why a line is not JSON, and where: `offset` is the 0-based byte position in the input
/// where the parser gave up, so a client can find the fault in what it sent.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let offset: Int
    public let reason: String

    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    /// "at byte 17: expected ',' or '}' in object" (the text of a -32700 reply).
    public var description: String { "at byte \(offset): \(reason)" }

    /// Where `offset` falls in `input` as a person counts in an editor: 1-based line, and
    /// 1-based column in characters (UTF-8 continuation bytes do not count). Files are read
    /// by people, so their errors say "line 3, column 17" rather than a byte offset.
    public func position(in input: [UInt8]) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for byte in input.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }

    /// "line 3, column 17: trailing comma".
    public func located(in input: [UInt8]) -> String {
        let (line, column) = position(in: input)
        return "line \(line), column \(column): \(reason)"
    }
}
