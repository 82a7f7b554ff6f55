import A2ALTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What systemd's end of `NOTIFY_SOCKET` would see: a datagram socket the test binds (a path
/// in a temporary directory, or an abstract "@name"), read by a thread of its own. Each message
/// is recorded with the result of `probe` run the moment it arrived, so a test can tell what
/// was true when READY=1 came (docs/systemd.md, "Readiness and watchdog").
final class FakeNotifySocket: @unchecked Sendable {
    struct Message: Sendable {
        let text: String
        let probed: Bool
        let at: ContinuousClock.Instant
        var lines: [String] { text.split(separator: "\n").map(String.init) }
    }

    /// The value for NOTIFY_SOCKET.
    let address: String
    private let fd: Int32
    private let lock = NSLock()
    private var received: [Message] = []
    private var probe: @Sendable () -> Bool = { false }
    private var closed = false

    init(abstract: Bool = false) throws {
        let name = abstract ? "@a2ald-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            : NSTemporaryDirectory() + "a2ald-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw TestFileError("socket(AF_UNIX, SOCK_DGRAM): \(String(cString: strerror(errno)))") }
        var sun = sockaddr_un()
        sun.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(name.utf8)
        if abstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &sun.sun_path) { raw in for (i, b) in bytes.enumerated() { raw[i] = b } }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
        let bound = withUnsafePointer(to: &sun) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else {
            let e = errno
            _ = close(fd)
            throw TestFileError("cannot bind notify socket \(name): \(String(cString: strerror(e)))")
        }
        self.fd = fd
        address = name
        let thread = Thread { [self] in readLoop() }
        thread.start()
    }

    deinit {
        _ = close(fd)
        if !address.hasPrefix("@") { unlink(address) }
    }

    /// Ends the reading thread (within 100 ms); the socket goes when the last reference does.
    func stop() {
        lock.lock(); defer { lock.unlock() }
        closed = true
    }

    /// What to evaluate as each message arrives (say: is the JSON-RPC socket connectable?).
    func setProbe(_ probe: @escaping @Sendable () -> Bool) {
        lock.lock(); defer { lock.unlock() }
        self.probe = probe
    }

    var messages: [Message] {
        lock.lock(); defer { lock.unlock() }
        return received
    }

    /// The first message with `line` among its assignments, waiting up to `timeout` for it.
    func waitFor(line: String, after index: Int = 0, timeout: Duration = .seconds(20)) async throws -> (Int, Message)? {
        try await waitUntil(timeout: timeout) { all in
            all.enumerated().dropFirst(index).first { $0.element.lines.contains(line) }.map { ($0.offset, $0.element) }
        }
    }

    /// Waits until `check` finds something in the messages so far.
    func waitUntil<T: Sendable>(timeout: Duration, _ check: @escaping @Sendable ([Message]) -> T?) async throws -> T? {
        try await Offload.run {
            let deadline = ContinuousClock.now + timeout
            while true {
                if let found = check(self.messages) { return found }
                if ContinuousClock.now >= deadline { return nil }
                usleep(10_000)
            }
        }
    }

    private func readLoop() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            lock.lock()
            let stop = closed
            let probe = self.probe
            lock.unlock()
            if stop { return }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 100) > 0 else { continue }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            let text = String(decoding: buffer[0..<n], as: UTF8.self)
            let probed = probe()
            lock.lock()
            received.append(Message(text: text, probed: probed, at: .now))
            lock.unlock()
        }
    }
}
