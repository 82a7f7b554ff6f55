/// Why the Unix socket server could not start. `reason` is a complete sentence naming the path.
package struct SocketServerError: Error, Sendable, CustomStringConvertible {
    package let path: String
    package let reason: String

    package init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    package var description: String { reason }
}
