/// Splits a byte stream into '\n'-terminated lines, whatever the read boundaries, without ever
/// holding more than one line's worth of bytes. Both ends of the socket use it: the daemon's
/// connection handler for requests and `A2ALClient` for replies.
///
/// A line may be `maxLineBytes` long, not counting its '\n' or an optional '\r' before it.
/// It takes raw bytes (callers pass `ByteBuffer.withUnsafeReadableBytes`), so this module
/// stays free of NIO.
public struct LineFramer: Sendable {
    public enum Outcome: Equatable, Sendable {
        /// Every complete line was delivered; a partial line, if any, waits for more bytes.
        case consumed
        /// `deliver` returned false after a line that ended `consumed` bytes into the input;
        /// the bytes after it were not looked at (feed them again to go on, or drop them).
        case stopped(consumed: Int)
        /// A line exceeded `maxLineBytes`. The framer holds nothing from now on.
        case tooLong
    }

    private static let newline: UInt8 = 0x0A
    private static let carriageReturn: UInt8 = 0x0D

    public let maxLineBytes: Int
    /// The start of a line whose '\n' has not arrived yet.
    private var partial: [UInt8] = []

    public init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    /// Bytes of an unfinished line held now.
    public var bufferedBytes: Int { partial.count }

    /// Feeds one read. `deliver` gets each complete line (without '\n' and a trailing '\r')
    /// and returns whether to go on.
    public mutating func feed(_ view: UnsafeRawBufferPointer, deliver: ([UInt8]) -> Bool) -> Outcome {
        var start = view.startIndex
        while start < view.endIndex {
            guard let end = view[start...].firstIndex(of: Self.newline) else {
                // Checked before appending, so one huge read never lands in memory whole.
                guard partial.count + (view.endIndex - start) <= maxLineBytes + 1 else { return overflow() }
                partial.append(contentsOf: view[start...])
                if exceedsLimit(partial) { return overflow() }
                return .consumed
            }
            guard partial.count + (end - start) <= maxLineBytes + 1 else { return overflow() }
            var line: [UInt8]
            if partial.isEmpty {
                line = Array(view[start..<end])
            } else {
                line = partial
                line.append(contentsOf: view[start..<end])
                partial = []
            }
            start = end + 1
            if exceedsLimit(line) { return overflow() }
            if line.last == Self.carriageReturn { line.removeLast() }
            if !deliver(line) { return .stopped(consumed: start - view.startIndex) }
        }
        return .consumed
    }

    /// One byte past the limit is allowed only if it is the '\r' of a CRLF terminator (for an
    /// unfinished line: its '\n' may come next).
    /// At end of input: the bytes after the last newline, as one final line (a client may
    /// send its last request without '\n' before closing its side); nil when there are none.
    public mutating func takeUnterminated() -> [UInt8]? {
        guard !partial.isEmpty else { return nil }
        var line = partial
        partial = []
        if line.last == Self.carriageReturn { line.removeLast() }
        return line.isEmpty ? nil : line
    }

    private func exceedsLimit(_ bytes: [UInt8]) -> Bool {
        guard bytes.count > maxLineBytes else { return false }
        return bytes.count > maxLineBytes + 1 || bytes.last != Self.carriageReturn
    }

    private mutating func overflow() -> Outcome {
        partial = []
        return .tooLong
    }
}
