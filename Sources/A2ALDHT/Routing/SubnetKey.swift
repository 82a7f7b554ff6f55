import A2ALProtocol

/// The network prefix that Sybil limits count per: an IPv4 /24 or an IPv6 /64.
///
/// Addresses an attacker cannot cheaply vary inside one prefix are the unit of the limit; the
/// prefix is kept as one integer so comparing two entries costs no allocation.
public struct SubnetKey: Hashable, Sendable {
    let isIPv4: Bool
    /// The top 24 bits of an IPv4 address, or the top 64 bits of an IPv6 address.
    let prefix: UInt64

    /// Bits of an IPv4 address that form its counted prefix.
    static let ipv4PrefixBits = 24
    /// Bits of an IPv6 address that form its counted prefix.
    static let ipv6PrefixBits = 64

    /// The prefix `endpoint` is counted under, or nil when it is exempt from the limits:
    /// loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16,
    /// fe80::/10) and carrier-grade NAT (100.64/10) addresses, which tests, LANs and
    /// simulators use for many nodes at once and which an Internet attacker cannot occupy.
    public init?(_ endpoint: WireEndpoint) {
        let ip = endpoint.ip.normalized
        let raw = ip.bytes
        if ip.isIPv4 {
            let value = raw.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            if SubnetKey.isExemptIPv4(value) { return nil }
            isIPv4 = true
            prefix = UInt64(value >> UInt32(32 - SubnetKey.ipv4PrefixBits))
        } else {
            let high = raw.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let low = raw.suffix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            if SubnetKey.isExemptIPv6(high: high, low: low) { return nil }
            isIPv4 = false
            prefix = high >> UInt64(64 - SubnetKey.ipv6PrefixBits)
        }
    }

    /// IPv4 ranges exempt from the limits, as (network, prefix length).
    static let exemptIPv4Ranges: [(network: UInt32, bits: Int)] = [
        (0x7F00_0000, 8),   // 127.0.0.0/8 loopback
        (0x0A00_0000, 8),   // 10.0.0.0/8 private
        (0xAC10_0000, 12),  // 172.16.0.0/12 private
        (0xC0A8_0000, 16),  // 192.168.0.0/16 private
        (0xA9FE_0000, 16),  // 169.254.0.0/16 link-local
        (0x6440_0000, 10),  // 100.64.0.0/10 carrier-grade NAT
    ]

    static func isExemptIPv4(_ value: UInt32) -> Bool {
        exemptIPv4Ranges.contains { range in
            let mask = UInt32.max << UInt32(32 - range.bits)
            return value & mask == range.network
        }
    }

    static func isExemptIPv6(high: UInt64, low: UInt64) -> Bool {
        let isLoopback = high == 0 && low == 1                          // ::1
        let isUniqueLocal = high >> 57 == 0xFC >> 1                     // fc00::/7
        let isLinkLocal = high >> 54 == 0xFE80 >> 6                     // fe80::/10
        return isLoopback || isUniqueLocal || isLinkLocal
    }
}
