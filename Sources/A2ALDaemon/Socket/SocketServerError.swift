/// Why the Unix socket server could not start. `reason` is a complete sentence naming the path.
public struct SocketServerError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { reason }
}
