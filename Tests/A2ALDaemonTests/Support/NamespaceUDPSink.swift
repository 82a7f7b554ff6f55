import A2ALTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A UDP socket inside a test network namespace that takes datagrams and never answers: a DNS
/// server that does not reply, so the resolver waits for its own timeouts (no ICMP comes back
/// to end the wait early). Made on a thread of its own that enters the namespace and then
/// exits, so no other thread of the test process changes namespace.
final class NamespaceUDPSink: @unchecked Sendable {
    private let fd: Int32

    /// Binds `ip4`:`port` (dotted IPv4) in the namespace `name`.
    init(namespace name: String, ip4: String, port: UInt16) throws {
        let made = Self.onFreshThread { () -> Result<Int32, DaemonProcessError> in
            let ns = open("/run/netns/\(name)", O_RDONLY | O_CLOEXEC)
            guard ns >= 0 else { return .failure(DaemonProcessError(description: "open netns \(name): errno \(errno)")) }
            defer { close(ns) }
            guard let setns = Self.setns, setns(ns, Self.cloneNewNet) == 0 else {
                return .failure(DaemonProcessError(description: "setns \(name): errno \(errno)"))
            }
            let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            inet_pton(AF_INET, ip4, &address.sin_addr)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard fd >= 0, bound == 0 else {
                if fd >= 0 { close(fd) }
                return .failure(DaemonProcessError(description: "bind \(ip4):\(port) in \(name): errno \(errno)"))
            }
            return .success(fd)
        }
        fd = try made.get()
    }

    deinit { close(fd) }

    /// The names asked of this "DNS server" so far: every query waiting in the socket is read
    /// (without blocking) and its first question's name kept. Names already read stay in
    /// `seen`, which the caller passes back in.
    func queriedNames(adding seen: Set<String>) -> Set<String> {
        var names = seen
        var buffer = [UInt8](repeating: 0, count: 1500)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            guard n > 0 else { return names }
            if let name = Self.questionName(Array(buffer[0..<n])) { names.insert(name) }
        }
    }

    /// The first question's name of a DNS query (RFC 1035 §4.1.2: after the 12-byte header,
    /// labels each prefixed by its length, ended by a zero byte); nil when malformed.
    static func questionName(_ message: [UInt8]) -> String? {
        var i = 12
        var labels: [String] = []
        while i < message.count {
            let length = Int(message[i])
            if length == 0 { return labels.joined(separator: ".") }
            guard length < 64, i + 1 + length <= message.count else { return nil }
            labels.append(String(decoding: message[(i + 1)...(i + length)], as: UTF8.self))
            i += 1 + length
        }
        return nil
    }

    /// glibc declares setns(2) only under _GNU_SOURCE, which Swift's Glibc module does not set.
    private typealias SetNS = @convention(c) (Int32, Int32) -> Int32
    private static let setns: SetNS? = dlsym(nil, "setns").map { unsafeBitCast($0, to: SetNS.self) }
    private static let cloneNewNet: Int32 = 0x4000_0000

    /// Runs `work` on a new thread that ends with it (its namespace dies with it).
    private static func onFreshThread<T: Sendable>(_ work: @escaping @Sendable () -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox<T>()
        let thread = Thread {
            box.value = work()
            done.signal()
        }
        thread.start()
        done.wait()
        // The semaphore orders the write before this read.
        return box.value!
    }
}

private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
