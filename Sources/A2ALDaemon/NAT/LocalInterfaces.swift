#if canImport(Glibc)
import Glibc
#endif
import A2ALProtocol

/// The IP addresses of this host's interfaces: an observed address that is one of them (with
/// our port) means no NAT is in the way (docs/protocol.md, "NAT classification").
enum LocalInterfaces {
    static func addresses() -> [IPAddress] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return [] }
        defer { freeifaddrs(list) }
        var out: [IPAddress] = []
        var cursor = list
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let sa = entry.pointee.ifa_addr else { continue }
            switch Int32(sa.pointee.sa_family) {
            case AF_INET:
                sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                    var a = sin.pointee.sin_addr
                    if let ip = IPAddress(bytes: withUnsafeBytes(of: &a) { Array($0) }) { out.append(ip.normalized) }
                }
            case AF_INET6:
                sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin in
                    var a = sin.pointee.sin6_addr
                    if let ip = IPAddress(bytes: withUnsafeBytes(of: &a) { Array($0) }) { out.append(ip.normalized) }
                }
            default:
                continue
            }
        }
        return out
    }

    /// Our socket's endpoints: its own address, or every interface address when it is bound to
    /// a wildcard.
    static func endpoints(of local: WireEndpoint) -> Set<WireEndpoint> {
        let ip = local.ip.normalized
        guard ip.bytes.allSatisfy({ $0 == 0 }) else { return [WireEndpoint(ip: ip, port: local.port)] }
        return Set(addresses().map { WireEndpoint(ip: $0, port: local.port) })
    }
}
