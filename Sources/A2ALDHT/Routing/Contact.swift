import A2ALCore
import A2ALProtocol

/// Who a routing entry points at: always a node ID, plus whatever else we know.
///
/// Unlike `NodeInfo`, the agent address and the dial endpoint are optional, because some sources
/// only know part of it: a replica confirmed by a STORE reply is known by node ID and ip:port
/// only, and a peer reached over a non-UDP transport has no usable port.
public struct Contact: Hashable, Sendable {
    public let nodeID: NodeID
    /// The peer's agent address; nil while unknown.
    public let address: Address?
    /// Where to reach the peer over UDP; nil when there is no usable ip:port (port 0).
    public let endpoint: WireEndpoint?

    /// Builds a contact; an endpoint with port 0 is treated as unknown, and IPv4-mapped IPv6
    /// addresses are stored in their 4-byte form so that the same peer always compares equal.
    public init(nodeID: NodeID, address: Address? = nil, endpoint: WireEndpoint? = nil) {
        self.nodeID = nodeID
        self.address = address
        self.endpoint = Contact.usable(endpoint)
    }

    /// A contact carrying everything a wire `NodeInfo` says (endpoint nil when its port is 0).
    public init(nodeInfo: NodeInfo) {
        self.init(nodeID: nodeInfo.nodeID, address: nodeInfo.address, endpoint: nodeInfo.endpoint)
    }

    /// The wire form for FIND_* replies, or nil when the address or the endpoint is unknown:
    /// such a contact could not be encoded usefully, so it is never put in a reply.
    public var nodeInfo: NodeInfo? {
        guard let address, let endpoint else { return nil }
        return NodeInfo(address: address, nodeID: nodeID, ip: endpoint.ip, port: endpoint.port)
    }

    /// True when the address is unknown or hashes to the node ID; an inconsistent pair is
    /// rejected by the table (docs/deviations.md §2). Costs one SHA-256.
    public var hasConsistentIdentity: Bool {
        guard let address else { return true }
        return address.nodeID == nodeID
    }

    private static func usable(_ endpoint: WireEndpoint?) -> WireEndpoint? {
        guard let endpoint, endpoint.port != 0 else { return nil }
        return endpoint.normalized
    }
}
