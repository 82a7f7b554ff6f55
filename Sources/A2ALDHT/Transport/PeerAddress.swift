import A2ALProtocol

/// Where a datagram comes from or goes to: a UDP endpoint, or a named peer of an in-memory network.
public enum PeerAddress: Hashable, Sendable, CustomStringConvertible {
    case udp(WireEndpoint)
    case memory(String)

    /// The UDP endpoint, if this is one.
    public var udp: WireEndpoint? {
        if case .udp(let e) = self { return e }
        return nil
    }

    /// Text form, also the key of the reverse (address → node) map. IPv4-mapped IPv6 addresses
    /// render as dotted IPv4, so both spellings of one peer give the same key.
    public var description: String {
        switch self {
        case .udp(let e): return e.normalized.description
        case .memory(let name): return name
        }
    }

    /// The address of an in-memory transport called `name`. A name that is an `ip:port` text
    /// stands for that UDP endpoint, so simulated peers carry real-looking IP:port contacts in
    /// their NodeInfos and observed addresses, exactly as UDP peers do.
    public init(memoryName name: String) {
        if let (host, port) = AddressResolver.split(name), let ip = IPAddress(text: host) {
            self = .udp(WireEndpoint(ip: ip.normalized, port: port))
        } else {
            self = .memory(name)
        }
    }
}
