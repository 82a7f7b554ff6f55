#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import A2ALProtocol
import NIOCore

/// The socket address a datagram is sent to, built straight from a `WireEndpoint` for every
/// send. Not NIO's `SocketAddress`: making one of those from a `sockaddr_in` formats the
/// address as text (`inet_ntop`, `sprintf`), about 1% of a node's CPU per answered request
/// under load (docs/benchmarks.md, "Item 6 on the AMD VM").
struct DestinationAddress {
    private enum Storage {
        case v4(sockaddr_in)
        case v6(sockaddr_in6)
    }

    private let storage: Storage

    /// The address to send to `endpoint` from a socket of the given family. An IPv6 socket
    /// reaches IPv4 peers through their IPv4-mapped form (portable; Linux would also take a
    /// plain sockaddr_in on a dual-stack socket). An IPv4 socket cannot reach a true IPv6
    /// address: nil.
    init?(_ endpoint: WireEndpoint, fromIPv6Socket: Bool) {
        let ip = endpoint.ip.normalized
        if fromIPv6Socket {
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = in_port_t(endpoint.port).bigEndian
            withUnsafeMutableBytes(of: &sin6.sin6_addr) { raw in
                if ip.isIPv4 {
                    raw.copyBytes(from: Self.ipv4MappedPrefix)
                    UnsafeMutableRawBufferPointer(rebasing: raw[Self.ipv4MappedPrefix.count...]).copyBytes(from: ip.bytes)
                } else {
                    raw.copyBytes(from: ip.bytes)
                }
            }
            storage = .v6(sin6)
        } else {
            guard ip.isIPv4 else { return nil }
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = in_port_t(endpoint.port).bigEndian
            withUnsafeMutableBytes(of: &sin.sin_addr) { $0.copyBytes(from: ip.bytes) }
            storage = .v4(sin)
        }
    }

    /// Calls `body` with the address as a `sockaddr` and its length.
    func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        switch storage {
        case .v4(var sin):
            return withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        case .v6(var sin6):
            return withUnsafePointer(to: &sin6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
    }

    /// The same address as NIO's type, for messages and tests (formats the address as text).
    var socketAddress: SocketAddress {
        switch storage {
        case .v4(let sin): SocketAddress(sin, host: "")
        case .v6(let sin6): SocketAddress(sin6, host: "")
        }
    }

    /// ::ffff:0:0/96, the prefix of IPv4-mapped IPv6 addresses (RFC 4291 §2.5.5.2).
    static let ipv4MappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]
}
