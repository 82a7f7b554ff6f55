import A2ALCore

/// An IP:port in the 6- or 18-byte wire form of `observed_addr` / `claimed_addr` (docs/protocol.md
/// §3.8): ip (4 or 16 bytes) || port (big-endian).
public struct WireEndpoint: Hashable, Sendable, CustomStringConvertible {
    public let ip: IPAddress
    public let port: UInt16

    public init(ip: IPAddress, port: UInt16) {
        self.ip = ip
        self.port = port
    }

    /// The same endpoint with an IPv4-mapped IPv6 address as IPv4: the form the wire carries,
    /// and the one every key, text and comparison of endpoints uses.
    public var normalized: WireEndpoint { WireEndpoint(ip: ip.normalized, port: port) }

    /// What the reference writes when it cannot express the source as UDP: 127.0.0.1:0.
    public static let unknown = WireEndpoint(ip: IPAddress(ipv4: 0x7f00_0001), port: 0)

    /// Decodes exactly 6 or 18 bytes.
    public init?(wire: [UInt8]) {
        guard wire.count == 6 || wire.count == 18,
              let ip = IPAddress(bytes: Array(wire[0..<(wire.count - 2)])) else { return nil }
        self.ip = ip
        self.port = UInt16(wire[wire.count - 2]) << 8 | UInt16(wire[wire.count - 1])
    }

    /// 6 bytes for IPv4 and IPv4-mapped IPv6, else 18.
    public var wire: [UInt8] {
        ip.normalized.bytes + [UInt8(port >> 8), UInt8(port & 0xff)]
    }

    public var description: String {
        ip.isIPv4 ? "\(ip):\(port)" : "[\(ip)]:\(port)"
    }

    /// True when `bytes` has a legal observed/claimed address length.
    public static func isValidWireLength(_ bytes: [UInt8]) -> Bool {
        bytes.count == 6 || bytes.count == 18
    }
}
