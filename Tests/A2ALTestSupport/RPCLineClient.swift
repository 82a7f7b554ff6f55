import A2ALRPC
import Foundation
#if canImport(Testing)  // test builds only; a plain `swift build` compiles this target too
import Testing
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure of the test client, naming the socket and the fault.
package struct RPCClientError: Error, CustomStringConvertible, Equatable {
    package enum Kind: Sendable, Equatable { case connect, timeout, closed, io, protocolViolation }
    package let kind: Kind
    package let description: String
    package init(kind: Kind, description: String) {
        self.kind = kind
        self.description = description
    }
}

/// A plain blocking newline-delimited JSON client over a Unix socket, for end-to-end tests:
/// raw `send(line:)` / `readLine()` to test framing and errors byte by byte, and `call` for
/// ordinary requests. Reads wait with `poll` and a deadline, so a silent daemon fails a test
/// instead of hanging it. One instance is one connection; open as many as a test needs.
///
/// Calls block the calling thread: from async tests use `DaemonProcess.call` or wrap in
/// `Offload.run` so the cooperative pool is not held up.
package final class RPCLineClient: @unchecked Sendable {
    package let path: String
    private let fd: Int32
    /// Serialises users of the connection; state below is only touched with it held.
    private let lock = NSRecursiveLock()
    private var buffer: [UInt8] = []
    private var notifications: [JSONValue] = []
    private var nextID: Int64 = 1
    private var isClosed = false

    package static let defaultTimeout: Duration = .seconds(10)

    /// Connects once (no retry); fails at once when nothing listens on `path`.
    package init(path: String, sendTimeout: Duration = .seconds(10)) throws {
        self.path = path
        fd = try UnixSocket.connect(path: path)
        UnixSocket.setSendTimeout(fd, sendTimeout)
    }

    deinit { if !isClosed { _ = systemClose(fd) } }

    // MARK: Raw lines

    /// Sends `line` plus "\n" (omit the newline with `terminated: false`, to test framing).
    package func send(line: String, terminated: Bool = true) throws {
        try send(bytes: Array(line.utf8) + (terminated ? [0x0A] : []))
    }

    /// Sends bytes exactly as given.
    package func send(bytes: [UInt8]) throws {
        lock.lock(); defer { lock.unlock() }
        guard !isClosed else { throw RPCClientError(kind: .closed, description: "\(path): connection already closed") }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { systemSend(fd, $0.baseAddress, $0.count, UnixSocket.noSignal) }
            if n < 0 {
                let e = errno
                if e == EINTR { continue }
                if e == EAGAIN || e == EWOULDBLOCK {
                    throw RPCClientError(kind: .timeout, description: "\(path): send timed out (the peer is not reading)")
                }
                throw RPCClientError(kind: e == EPIPE || e == ECONNRESET ? .closed : .io,
                                     description: "\(path): send failed: \(String(cString: strerror(e)))")
            }
            offset += n
        }
    }

    /// Sends a JSON value as one compact line.
    package func send(_ value: JSONValue) throws {
        try send(bytes: JSONWriter.write(value) + [0x0A])
    }

    /// The next line without its "\n" (and a "\r" before it), or nil once the peer has closed
    /// and everything was read. Bytes after the last newline at close come back as a final line.
    package func readLine(timeout: Duration = RPCLineClient.defaultTimeout) throws -> String? {
        try readLineBytes(timeout: timeout).map { String(decoding: $0, as: UTF8.self) }
    }

    package func readLineBytes(timeout: Duration = RPCLineClient.defaultTimeout) throws -> [UInt8]? {
        lock.lock(); defer { lock.unlock() }
        let deadline = ContinuousClock.now + timeout
        while true {
            if let nl = buffer.firstIndex(of: 0x0A) {
                var line = Array(buffer[..<nl])
                buffer.removeSubrange(...nl)
                if line.last == 0x0D { line.removeLast() }
                return line
            }
            guard !isClosed else { return nil }
            let got = try receive(until: deadline, waiting: timeout)
            if got == 0 {
                // Peer closed: hand out an unterminated tail once, then report the end.
                isClosed = true
                _ = systemClose(fd)
                if buffer.isEmpty { return nil }
                defer { buffer.removeAll() }
                return buffer
            }
        }
    }

    /// The next line parsed as JSON (nil at end of stream).
    package func readJSON(timeout: Duration = RPCLineClient.defaultTimeout) throws -> JSONValue? {
        guard let bytes = try readLineBytes(timeout: timeout) else { return nil }
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw RPCClientError(kind: .protocolViolation,
                                 description: "\(path): reply is not JSON (\(error)): \(String(decoding: bytes.prefix(200), as: UTF8.self))")
        }
    }

    // MARK: Calls

    /// The next JSON line before `deadline`; nil when the deadline passed or the peer closed
    /// (`isClosed` tells which), so callers can say what they were waiting for.
    private func readJSON(until deadline: ContinuousClock.Instant) throws -> JSONValue? {
        let remaining = deadline - ContinuousClock.now
        guard remaining > .zero else { return nil }
        do {
            return try readJSON(timeout: remaining)
        } catch let e as RPCClientError where e.kind == .timeout {
            return nil
        }
    }

    /// Sends a request with a fresh numeric id and returns the whole response object
    /// (`result` or `error`). Notifications arriving meanwhile are kept for
    /// `nextNotification`. A response with `id: null` (an error the server could not tie to
    /// a request) is returned too.
    package func call(_ method: String, _ params: JSONObject? = JSONObject(), timeout: Duration = RPCLineClient.defaultTimeout) throws -> JSONValue {
        lock.lock(); defer { lock.unlock() }
        let id = nextID
        nextID += 1
        var request: JSONObject = ["jsonrpc": "2.0", "id": .int(id), "method": .string(method)]
        if let params { request["params"] = .object(params) }
        try send(.object(request))
        let deadline = ContinuousClock.now + timeout
        while true {
            guard let message = try readJSON(until: deadline) else {
                throw RPCClientError(kind: isClosed ? .closed : .timeout,
                                     description: "\(path): no response to \(method) (id \(id)) \(isClosed ? "before the connection closed" : "within \(timeout)")")
            }
            if message["method"] != nil && message["id"] == nil {
                notifications.append(message)
                continue
            }
            switch message["id"] {
            case .int(id)?:
                try Self.checkDeclared(method, message)
                return message
            case .null?:
                return message
            default:
                throw RPCClientError(kind: .protocolViolation, description: "\(path): response to \(method) carries another id: \(JSONSchemaValidator.show(message))")
            }
        }
    }

    /// Every error reply a test receives must be one its method's schema declares: a test that
    /// provokes an undeclared error fails here, whatever it expected — recorded as an issue too,
    /// so a caller that discards the thrown error (`try?`) still fails.
    private static func checkDeclared(_ method: String, _ response: JSONValue) throws {
        guard let error = response["error"], let violation = try SchemaCatalog.shared().errorViolation(method, error) else { return }
        #if canImport(Testing)
        Issue.record(Comment(rawValue: violation))
        #endif
        throw RPCClientError(kind: .protocolViolation, description: violation)
    }

    /// The result of a call that must succeed; an error response fails with its message.
    package func result(_ method: String, _ params: JSONObject = JSONObject(), timeout: Duration = RPCLineClient.defaultTimeout) throws -> JSONValue {
        let response = try call(method, params, timeout: timeout)
        guard let result = response["result"] else {
            throw RPCClientError(kind: .protocolViolation, description: "\(method) failed: \(JSONSchemaValidator.show(response["error"] ?? response))")
        }
        return result
    }

    /// The next notification (a message with `method` and no `id`), kept from earlier calls
    /// or read now.
    package func nextNotification(timeout: Duration = RPCLineClient.defaultTimeout) throws -> JSONValue {
        lock.lock(); defer { lock.unlock() }
        if !notifications.isEmpty { return notifications.removeFirst() }
        let deadline = ContinuousClock.now + timeout
        while true {
            guard let message = try readJSON(until: deadline) else {
                throw RPCClientError(kind: isClosed ? .closed : .timeout, description: "\(path): no notification within \(timeout)")
            }
            if message["method"] != nil && message["id"] == nil { return message }
            throw RPCClientError(kind: .protocolViolation, description: "\(path): expected a notification, got \(JSONSchemaValidator.show(message))")
        }
    }

    // MARK: Closing

    /// Half-closes: the peer sees end of input, replies can still be read.
    package func shutdownWrite() {
        lock.lock(); defer { lock.unlock() }
        if !isClosed { _ = shutdown(fd, Int32(SHUT_WR)) }
    }

    package func close() {
        lock.lock(); defer { lock.unlock() }
        guard !isClosed else { return }
        isClosed = true
        _ = systemClose(fd)
    }

    /// Reads what is available into `buffer`; 0 means the peer closed.
    private func receive(until deadline: ContinuousClock.Instant, waiting timeout: Duration) throws -> Int {
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else {
                throw RPCClientError(kind: .timeout, description: "\(path): no complete line within \(timeout)")
            }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, UnixSocket.milliseconds(remaining))
            if ready < 0 {
                if errno == EINTR { continue }
                throw RPCClientError(kind: .io, description: "\(path): poll failed: \(String(cString: strerror(errno)))")
            }
            if ready == 0 { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                let e = errno
                if e == EINTR || e == EAGAIN { continue }
                if e == ECONNRESET { return 0 }
                throw RPCClientError(kind: .io, description: "\(path): recv failed: \(String(cString: strerror(e)))")
            }
            buffer.append(contentsOf: chunk[..<n])
            return n
        }
    }
}

/// Thin Glibc wrappers shared by the client and the test servers.
package enum UnixSocket {
    /// `sun_path` holds 108 bytes including the terminating NUL.
    package static let maxPathBytes = 107

    #if canImport(Glibc)
    /// A write to a closed peer fails with EPIPE instead of killing the test process.
    package static let noSignal = Int32(MSG_NOSIGNAL)
    package static let streamType = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
    #else
    package static let noSignal: Int32 = 0
    package static let streamType = SOCK_STREAM
    #endif

    package static func address(_ path: String) throws -> sockaddr_un {
        let bytes = Array(path.utf8)
        guard bytes.count <= maxPathBytes else {
            throw RPCClientError(kind: .connect, description: "\(path): socket path longer than \(maxPathBytes) bytes")
        }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
            raw[bytes.count] = 0
        }
        return addr
    }

    package static func connect(path: String) throws -> Int32 {
        var addr = try address(path)
        let fd = socket(AF_UNIX, streamType, 0)
        guard fd >= 0 else { throw RPCClientError(kind: .connect, description: "\(path): socket() failed: \(String(cString: strerror(errno)))") }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { systemConnect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else {
            let e = errno
            _ = systemClose(fd)
            throw RPCClientError(kind: .connect, description: "\(path): connect failed: \(String(cString: strerror(e)))")
        }
        return fd
    }

    package static func setSendTimeout(_ fd: Int32, _ timeout: Duration) {
        let ms = milliseconds(timeout)
        var tv = timeval(tv_sec: time_t(ms / 1000), tv_usec: suseconds_t(ms % 1000 * 1000))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// A poll timeout: at least 1 ms for any positive duration, capped to fit Int32.
    package static func milliseconds(_ d: Duration) -> Int32 {
        let (s, atto) = d.components
        guard s >= 0 else { return 0 }
        let ms = s.multipliedReportingOverflow(by: 1000).partialValue + (atto + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: ms)
    }
}

// Free functions whose names the class's own methods (send, close, connect) would shadow.
private func systemSend(_ fd: Int32, _ p: UnsafeRawPointer?, _ n: Int, _ flags: Int32) -> Int { send(fd, p, n, flags) }
package func systemClose(_ fd: Int32) -> Int32 { close(fd) }
private func systemConnect(_ fd: Int32, _ addr: UnsafePointer<sockaddr>, _ len: socklen_t) -> Int32 { connect(fd, addr, len) }

/// Runs blocking work (socket reads, waiting for a process) on a Dispatch thread so async
/// tests do not tie up the small cooperative pool.
package enum Offload {
    package static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }
}
