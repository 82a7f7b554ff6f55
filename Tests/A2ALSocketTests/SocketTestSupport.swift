import A2ALSocket
import A2ALRPC
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fresh directory under /tmp with a short name (socket paths are limited to 107 bytes),
/// removed with everything in it at the end.
final class SocketTestDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/a2sk-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer -> UnsafeMutablePointer<CChar>? in
            guard let base = buffer.baseAddress else { return nil }
            return mkdtemp(base)
        }
        guard let made else {
            throw UnixTestClient.Failure(description: "mkdtemp: errno \(errno)")
        }
        path = String(cString: made)
    }

    var socketPath: String { path + "/s.sock" }

    func remove() {
        removeTree(path)
    }

    private func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFDIR {
            if let dir = opendir(path) {
                while let entry = readdir(dir) {
                    let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                    }
                    if name != "." && name != ".." { removeTree(path + "/" + name) }
                }
                closedir(dir)
            }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}

/// Records what the server hands the session side, across all connections of one test, and
/// answers each line with `behaviour` (echo by default).
final class UnixSocketProbe: Sendable {
    struct Snapshot {
        var accepted = 0
        var peers: [PeerCredentials?] = []
        var lines: [String] = []
        var tooLong: [Int] = []
        var closed = 0
        var sinks: [any LineSink] = []
    }

    typealias Behaviour = @Sendable (String, any LineSink) -> Void
    static let echo: Behaviour = { line, sink in sink.send(Array(line.utf8)) }

    private let state = Mutex(Snapshot())
    private let behaviour: Behaviour

    init(behaviour: @escaping Behaviour = UnixSocketProbe.echo) {
        self.behaviour = behaviour
    }

    var snapshot: Snapshot { state.withLock { $0 } }

    func accept(_ peer: PeerCredentials?, _ sink: any LineSink) -> any LineReceiver {
        state.withLock {
            $0.accepted += 1
            $0.peers.append(peer)
            $0.sinks.append(sink)
        }
        return ProbeReceiver(probe: self, sink: sink)
    }

    fileprivate func received(_ line: [UInt8], sink: any LineSink) {
        let text = String(decoding: line, as: UTF8.self)
        // Answer first: once a test sees the line recorded, the answer is queued.
        behaviour(text, sink)
        state.withLock { $0.lines.append(text) }
    }

    fileprivate func tooLong(_ limit: Int) { state.withLock { $0.tooLong.append(limit) } }
    fileprivate func closed() { state.withLock { $0.closed += 1 } }
}

/// The session side of one connection, as the JSON-RPC layer would be: it answers through the
/// sink and closes it after a line that is too long.
private final class ProbeReceiver: LineReceiver {
    let probe: UnixSocketProbe
    let sink: any LineSink

    init(probe: UnixSocketProbe, sink: any LineSink) {
        self.probe = probe
        self.sink = sink
    }

    func receive(line: [UInt8]) { probe.received(line, sink: sink) }

    func lineTooLong(limit: Int) {
        probe.tooLong(limit)
        sink.send(Array("too long".utf8))
        sink.close()
    }

    func connectionClosed() { probe.closed() }
}

/// An echo probe that records the loop thread each line was handed over on ("a2al-rpc-N").
final class LineThreads: Sendable {
    private let seen = Mutex<[String: String]>([:])

    /// The thread of each line seen, by the line's text.
    var byLine: [String: String] { seen.withLock { $0 } }

    func makeProbe() -> UnixSocketProbe {
        UnixSocketProbe { [self] line, sink in
            record(line)
            sink.send(Array(line.utf8))
        }
    }

    private func record(_ line: String) {
        seen.withLock { $0[line] = SocketTest.currentThreadName() }
    }
}

enum SocketTest {
    static let logger = Logger(label: "a2ald.socket.test") { _ in SwiftLogNoOpLogHandler() }
    static let overCapacity = Array(#"{"error":"overloaded"}"#.utf8)

    static func start(_ options: UnixSocketOptions, probe: UnixSocketProbe, inheritedFD: CInt? = nil, threads: Int = 2)
        async throws -> UnixSocketServer {
        try await UnixSocketServer.start(options: options, threads: threads,
                                         inheritedFD: inheritedFD, logger: logger,
                                         overCapacityLine: overCapacity,
                                         accept: { probe.accept($0, $1) })
    }

    /// The calling thread's name ("a2al-rpc-N" on a loop thread, where probes are handed lines).
    static func currentThreadName() -> String {
        guard let file = fopen("/proc/thread-self/comm", "r") else { return "?" }
        defer { fclose(file) }
        var name = [CChar](repeating: 0, count: 32)
        guard fgets(&name, Int32(name.count), file) != nil else { return "?" }
        let bytes = name.prefix { $0 != 0 && $0 != 10 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Polls `condition` until it holds or `seconds` pass (a liveness bound, not a timing check).
    static func eventually(seconds: Double = 10, _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return condition()
    }

    static func fileMode(_ path: String) -> mode_t? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return info.st_mode
    }

    static func exists(_ path: String) -> Bool { fileMode(path) != nil }

    /// A Unix stream socket bound to `path`, listening when asked; the caller closes it.
    static func boundSocket(_ path: String, listening: Bool) throws -> Int32 {
        #if canImport(Glibc)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw UnixTestClient.Failure(description: "socket: errno \(errno)") }
        var address = UnixTestClient.unixAddress(path)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else {
            close(fd)
            throw UnixTestClient.Failure(description: "bind \(path): errno \(errno)")
        }
        if listening, listen(fd, 16) != 0 {
            close(fd)
            throw UnixTestClient.Failure(description: "listen: errno \(errno)")
        }
        return fd
    }
}
