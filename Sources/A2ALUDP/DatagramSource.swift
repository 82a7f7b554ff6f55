#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import A2ALProtocol

extension WireEndpoint {
    /// The endpoint a datagram came from, read from the `sockaddr_storage` that `recvfrom`
    /// filled: IPv4-mapped IPv6 collapsed to IPv4, as `init(socketAddress:)` does for NIO's
    /// addresses. Nil for any other family.
    init?(source storage: UnsafePointer<sockaddr_storage>) {
        let raw = UnsafeRawPointer(storage)
        switch Int32(storage.pointee.ss_family) {
        case AF_INET:
            let sin = raw.load(as: sockaddr_in.self)
            var address = sin.sin_addr
            guard let ip = withUnsafeBytes(of: &address, { IPAddress(bytes: Array($0)) }) else { return nil }
            self.init(ip: ip, port: UInt16(bigEndian: sin.sin_port))
        case AF_INET6:
            let sin6 = raw.load(as: sockaddr_in6.self)
            var address = sin6.sin6_addr
            guard let ip = withUnsafeBytes(of: &address, { IPAddress(bytes: Array($0)) }) else { return nil }
            self.init(ip: ip.normalized, port: UInt16(bigEndian: sin6.sin6_port))
        default:
            return nil
        }
    }
}
