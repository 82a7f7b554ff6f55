import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tiny Unix-socket server for testing the test client itself: every accepted connection
/// runs `handler` on its own thread with plain blocking I/O.
package final class UnixLineTestServer: @unchecked Sendable {
    package let directory: DaemonDirectory
    package var path: String { directory.socketPath }
    private let listenFD: Int32

    package init(handler: @escaping @Sendable (Connection) -> Void) throws {
        directory = try DaemonDirectory()
        var addr = try UnixSocket.address(directory.socketPath)
        let fd = socket(AF_UNIX, UnixSocket.streamType, 0)
        guard fd >= 0 else { throw DaemonProcessError(description: "socket() failed: \(String(cString: strerror(errno)))") }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            let e = errno
            _ = systemClose(fd)
            throw DaemonProcessError(description: "cannot listen on \(directory.socketPath): \(String(cString: strerror(e)))")
        }
        listenFD = fd
        Thread.detachNewThread { [listenFD] in
            while true {
                let c = accept(listenFD, nil, nil)
                if c < 0 {
                    if errno == EINTR { continue }
                    return  // the listener was shut down
                }
                Thread.detachNewThread { handler(Connection(fd: c)) }
            }
        }
    }

    /// Stops accepting; connections already open run on until their handlers return.
    package func stop() {
        _ = shutdown(listenFD, Int32(SHUT_RDWR))
        _ = systemClose(listenFD)
    }

    deinit { stop() }

    /// One accepted connection, closed when the handler's last reference goes away.
    package final class Connection: @unchecked Sendable {
        package let fd: Int32
        private var buffer: [UInt8] = []

        package init(fd: Int32) { self.fd = fd }
        deinit { _ = systemClose(fd) }

        package func write(_ text: String) {
            var bytes = Array(text.utf8)
            while !bytes.isEmpty {
                let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, UnixSocket.noSignal) }
                if n <= 0 { return }
                bytes.removeFirst(n)
            }
        }

        /// The next line without "\n"; nil when the client closed.
        package func readLine() -> String? {
            while true {
                if let nl = buffer.firstIndex(of: 0x0A) {
                    let line = String(decoding: buffer[..<nl], as: UTF8.self)
                    buffer.removeSubrange(...nl)
                    return line
                }
                var chunk = [UInt8](repeating: 0, count: 4096)
                let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return nil }
                buffer.append(contentsOf: chunk[..<n])
            }
        }
    }
}
