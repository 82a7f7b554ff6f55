#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import A2ALProtocol

/// Socket addresses as wire endpoints, IPv4-mapped IPv6 collapsed to IPv4 so one peer has one
/// spelling whether it reached a dual-stack or an IPv4 socket. No allocation: the readers
/// convert every datagram's source.
extension WireEndpoint {
    init(_ sin: sockaddr_in) {
        self.init(ip: IPAddress(ipv4: UInt32(bigEndian: sin.sin_addr.s_addr)), port: UInt16(bigEndian: sin.sin_port))
    }

    init?(_ sin6: sockaddr_in6) {
        var address = sin6.sin6_addr
        guard let ip = withUnsafeBytes(of: &address, { IPAddress(bytes: $0) }) else { return nil }
        self.init(ip: ip.normalized, port: UInt16(bigEndian: sin6.sin6_port))
    }

    /// The endpoint a datagram came from, read from the `sockaddr_storage` that `recvfrom`
    /// filled; nil for any family but IPv4 and IPv6.
    init?(source storage: UnsafePointer<sockaddr_storage>) {
        let raw = UnsafeRawPointer(storage)
        switch Int32(storage.pointee.ss_family) {
        case AF_INET: self.init(raw.load(as: sockaddr_in.self))
        case AF_INET6: self.init(raw.load(as: sockaddr_in6.self))
        default: return nil
        }
    }
}
