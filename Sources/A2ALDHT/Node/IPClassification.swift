import A2ALProtocol

/// Address classes the node cares about (NAT probes, Sybil exemptions).
extension IPAddress {
    /// Public = none of: unspecified, loopback, multicast, link-local, private (10/8, 172.16/12,
    /// 192.168/16, fc00::/7), CGNAT 100.64/10 (docs/node-behaviour.md §4.5.5). Documentation ranges
    /// count as public.
    public var isPublic: Bool {
        let ip = normalized
        let b = ip.bytes
        if ip.isIPv4 {
            switch (b[0], b[1]) {
            case (0, _), (127, _), (10, _), (169, 254), (192, 168): return false
            case (172, 16...31), (100, 64...127): return false
            case (224...239, _): return false
            default: return !(b.allSatisfy { $0 == 255 })
            }
        }
        if b.allSatisfy({ $0 == 0 }) { return false }                       // ::
        if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return false } // ::1
        if b[0] == 0xff { return false }                                    // multicast
        if b[0] == 0xfe && b[1] & 0xc0 == 0x80 { return false }             // fe80::/10
        if b[0] & 0xfe == 0xfc { return false }                             // fc00::/7
        return true
    }

    /// Loopback (127/8, ::1). Without building `bytes`: a FIND_NODE answer asks it of every
    /// contact it considers.
    public var isLoopback: Bool {
        let ip = normalized
        if ip.isIPv4 { return ip.firstByte == 127 }
        return ip.isIPv6Loopback
    }
}
