#if canImport(Glibc)
import Glibc
#endif

/// The baseline the daemon is measured against: a newline echo over a Unix socket written
/// directly on POSIX calls, sharing no code with the daemon (no SwiftNIO, no line framing, no
/// project socket layer). One blocking thread per connection reads what arrives and writes it
/// back; the clients send one whole line and wait for it, so echoing bytes is echoing lines.
final class PosixEchoServer: @unchecked Sendable {
    // @unchecked: `listener` is set once in init and only read afterwards.
    let path: String
    private let listener: Int32

    init?(path: String) {
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { close(fd); return nil }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(fd, 128) == 0 else { close(fd); return nil }
        self.path = path
        listener = fd
        Self.spawn { [listener] in
            while true {
                let conn = accept(listener, nil, nil)
                if conn < 0 {
                    if errno == EINTR { continue }
                    return  // the listener was shut down
                }
                Self.spawn { Self.echo(conn) }
            }
        }
    }

    /// Stops accepting; open connections end when their clients close them.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        unlink(path)
    }

    private static func echo(_ fd: Int32) {
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            var sent = 0
            while sent < n {
                let w = buffer[sent..<n].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if w <= 0 { return }
                sent += w
            }
        }
    }

    private static func spawn(_ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(ThreadBox(body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            Unmanaged<ThreadBox>.fromOpaque(raw).takeRetainedValue().body()
            return nil
        }, box)
        if rc == 0 { pthread_detach(thread) } else { Unmanaged<ThreadBox>.fromOpaque(box).release() }
    }
}

private final class ThreadBox: Sendable {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}
