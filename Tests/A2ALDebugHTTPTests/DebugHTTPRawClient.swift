import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A deliberately dumb HTTP/1.1 client on raw sockets, so the debug server is checked on the
/// exact bytes it writes rather than through a client library's normalisation.
enum RawHTTP {
    /// Upper bound on any single blocking receive, so a server bug fails the test instead of
    /// hanging it.
    static let receiveTimeoutSeconds = 5
    static let readChunk = 4096

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    struct Response {
        var statusLine: String
        /// Header names lowercased.
        var headers: [String: String]
        var body: [UInt8]
        var bodyText: String { String(decoding: body, as: UTF8.self) }
    }

    /// Set when the first bytes of an answer arrive: a test can then wait for the server to have
    /// answered instead of sleeping.
    final class Arrival: Sendable {
        private let flag = Atomic<Bool>(false)
        var happened: Bool { flag.load(ordering: .acquiring) }
        func mark() { flag.store(true, ordering: .releasing) }
    }

    /// Connects to 127.0.0.1:`port`, sends `request` and reads until the server closes.
    static func exchange(port: Int, _ request: String, answered: Arrival? = nil) throws -> [UInt8] {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: receiveTimeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw Failure(description: "connect: errno \(errno)") }
        let bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw Failure(description: "send: errno \(errno)") }
            sent += n
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: readChunk)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return received }
            guard n > 0 else { throw Failure(description: "recv: errno \(errno) after \(received.count) bytes") }
            received += chunk[..<n]
            answered?.mark()
        }
    }

    /// Splits back-to-back responses, each framed by its Content-Length (HEAD answers carry
    /// none of their stated body, so `bodiless` marks which ones to frame as empty).
    static func parse(_ raw: [UInt8], bodiless: Set<Int> = []) throws -> [Response] {
        var responses: [Response] = []
        var rest = raw[...]
        let separator = Array("\r\n\r\n".utf8)
        while !rest.isEmpty {
            guard let end = rest.indices.first(where: { rest[$0...].starts(with: separator) }) else {
                throw Failure(description: "unterminated header block")
            }
            let lines = String(decoding: rest[..<end], as: UTF8.self).components(separatedBy: "\r\n")
            var headers: [String: String] = [:]
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { throw Failure(description: "bad header \(line)") }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            guard let length = headers["content-length"].flatMap(Int.init) else {
                throw Failure(description: "no content-length")
            }
            let bodyStart = end + separator.count
            let bodyLength = bodiless.contains(responses.count) ? 0 : length
            guard rest.endIndex - bodyStart >= bodyLength else { throw Failure(description: "short body") }
            responses.append(Response(statusLine: lines.first ?? "", headers: headers,
                                      body: Array(rest[bodyStart..<bodyStart + bodyLength])))
            rest = rest[(bodyStart + bodyLength)...]
        }
        return responses
    }

    /// One `GET` (or other method) with `Connection: close`, parsed.
    static func fetch(port: Int, _ path: String, method: String = "GET") throws -> Response {
        let raw = try exchange(port: port, "\(method) \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let all = try parse(raw, bodiless: method == "HEAD" ? [0] : [])
        guard all.count == 1, let only = all.first else { throw Failure(description: "\(all.count) responses") }
        return only
    }
}
