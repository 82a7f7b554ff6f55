#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import A2ALRPC

/// Unbuffered writes to stdout and stderr, so streamed events reach a pipe as they arrive.
enum TerminalOutput {
    static func out(_ text: String) { write(fd: 1, text) }
    static func err(_ text: String) { write(fd: 2, text) }

    static var stderrIsTerminal: Bool { isatty(2) == 1 }

    /// A JSON value as the user asked for it: indented, or compact on one line.
    static func json(_ value: JSONValue, raw: Bool) -> String {
        (raw ? value.compactText : JSONWriter.pretty(value)) + "\n"
    }

    private static func write(fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { systemWrite(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return // the reader went away; nothing useful left to do with the text
            }
            bytes = bytes.dropFirst(n)
        }
    }
}
