#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import A2ALProtocol
import NIOCore

extension WireEndpoint {
    /// The endpoint of an IP socket address (`DatagramSource.swift` does the conversion); nil for
    /// Unix-domain addresses.
    init?(socketAddress: SocketAddress) {
        switch socketAddress {
        case .v4(let v4): self.init(v4.address)
        case .v6(let v6): self.init(v6.address)
        case .unixDomainSocket: return nil
        }
    }
}

extension SocketAddress {
    /// The socket address to send to `endpoint` from a socket of the given family. An IPv6
    /// socket reaches IPv4 peers through their IPv4-mapped form (portable; Linux would also take
    /// a plain sockaddr_in on a dual-stack socket). An IPv4 socket cannot reach a true IPv6
    /// address: nil.
    init?(destination endpoint: WireEndpoint, fromIPv6Socket: Bool) {
        let ip = endpoint.ip.normalized
        if fromIPv6Socket {
            let bytes = ip.isIPv4 ? Self.ipv4MappedPrefix + ip.bytes : ip.bytes
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = in_port_t(endpoint.port).bigEndian
            withUnsafeMutableBytes(of: &sin6.sin6_addr) { $0.copyBytes(from: bytes) }
            self.init(sin6)
        } else {
            guard ip.isIPv4 else { return nil }
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = in_port_t(endpoint.port).bigEndian
            withUnsafeMutableBytes(of: &sin.sin_addr) { $0.copyBytes(from: ip.bytes) }
            self.init(sin)
        }
    }

    /// ::ffff:0:0/96, the prefix of IPv4-mapped IPv6 addresses (RFC 4291 §2.5.5.2).
    static let ipv4MappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]
}
