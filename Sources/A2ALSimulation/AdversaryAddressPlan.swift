import A2ALProtocol

/// Where simulated nodes sit on the in-memory network: every honest node and every ordinary
/// adversary in a /24 of its own in public-looking space, so the routing table's per-/24 Sybil
/// limits apply to them as on the Internet (private ranges such as 10/8 are exempt, see
/// `IPAddress.isPublic`); Sybil adversaries crowd into a few /24s (docs/benchmarks.md,
/// "Adversaries in the simulator"). A pure function of the index, so runs are reproducible.
public enum SimAddressPlan {
    /// How many /24s all Sybil identities share.
    public static let sybilSubnets = 4
    /// Hosts used per Sybil /24 before the next port is taken (.1 to .250).
    static let hostsPerSubnet = 250

    /// Honest node `i`: 11.a.b.1 with a.b = i (11/8 is public; up to 65,536 nodes).
    public static func honest(_ i: Int) -> WireEndpoint {
        WireEndpoint(ip: IPAddress(ipv4: 0x0B00_0001 + (UInt32(truncatingIfNeeded: i) & 0xFFFF) << 8), port: 4000)
    }

    /// Adversary `j` that is not a Sybil: 12.a.b.1, a /24 of its own like an honest node.
    public static func adversary(_ j: Int) -> WireEndpoint {
        WireEndpoint(ip: IPAddress(ipv4: 0x0C00_0001 + (UInt32(truncatingIfNeeded: j) & 0xFFFF) << 8), port: 4000)
    }

    /// Sybil `j`: in 45.67.s.0/24 with s = j mod `sybilSubnets`, hosts .1–.250, then further ports
    /// of the same hosts (one machine may run many identities).
    public static func sybil(_ j: Int) -> WireEndpoint {
        let subnet = UInt32(j % sybilSubnets)
        let slot = j / sybilSubnets
        let host = UInt32(1 + slot % hostsPerSubnet)
        let port = UInt16(truncatingIfNeeded: 4000 + slot / hostsPerSubnet)
        return WireEndpoint(ip: IPAddress(ipv4: 0x2D43_0000 + subnet << 8 + host), port: port)
    }

    /// The endpoint of adversary `j` of `behaviour`.
    public static func endpoint(ofAdversary j: Int, _ behaviour: AdversaryBehaviour) -> WireEndpoint {
        behaviour == .sybil ? sybil(j) : adversary(j)
    }

    /// The /24 (first three bytes) of an IPv4 endpoint, nil for IPv6.
    public static func subnet24(_ endpoint: WireEndpoint) -> UInt32? {
        let ip = endpoint.ip.normalized
        guard ip.isIPv4 else { return nil }
        let b = ip.bytes
        let start = b.count - 4
        return UInt32(b[start]) << 16 | UInt32(b[start + 1]) << 8 | UInt32(b[start + 2])
    }
}
