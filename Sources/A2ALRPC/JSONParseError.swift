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
}
