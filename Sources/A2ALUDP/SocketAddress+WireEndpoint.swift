#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import A2ALProtocol
import NIOCore

extension WireEndpoint {
    /// The endpoint of an IP socket address, IPv4-mapped IPv6 collapsed to IPv4 so one peer has
    /// one spelling whether it reached a dual-stack or an IPv4 socket. Nil for Unix-domain
    /// addresses.
    init?(socketAddress: SocketAddress) {
        let ip: IPAddress?
        let port: UInt16
        switch socketAddress {
        case .v4(let v4):
            var raw = v4.address.sin_addr
            ip = withUnsafeBytes(of: &raw) { IPAddress(bytes: Array($0)) }
            port = UInt16(bigEndian: v4.address.sin_port)
        case .v6(let v6):
            var raw = v6.address.sin6_addr
            ip = withUnsafeBytes(of: &raw) { IPAddress(bytes: Array($0)) }
            port = UInt16(bigEndian: v6.address.sin6_port)
        case .unixDomainSocket:
            return nil
        }
        guard let ip else { return nil }
        self.init(ip: ip.normalized, port: port)
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
