import A2ALCore
import A2ALProtocol

extension WireEndpoint {
    /// Addresses no peer can be at: port 0, unspecified (0.0.0.0/8, ::), limited broadcast,
    /// multicast (224/4, ff00::/8) and the reserved 240/4. A contact there is junk from a
    /// confused or hostile peer (docs/security.md, "junk contacts in answers").
    var isNeverAPeer: Bool {
        if port == 0 { return true }
        let ip = self.ip.normalized
        if ip.isIPv4 { return ip.firstByte == 0 || ip.firstByte >= 224 }
        return ip.isUnspecified || ip.firstByte == 0xff
    }
}

extension DHTNode {
    /// Whether a contact a peer told us about (hearsay) may enter the routing table and the dial
    /// book. Junk addresses never; our own endpoint never; loopback only when the peer that told
    /// us is itself on loopback (a remote peer naming 127.0.0.1:22 would otherwise have us send
    /// to services on our own host).
    func admitsHearsay(_ endpoint: WireEndpoint, from reporter: NodeID, _ s: NodeState) -> Bool {
        if endpoint.isNeverAPeer || isOwnEndpoint(endpoint, s) { return false }
        if endpoint.ip.isLoopback {
            guard let via = s.dial.address(of: reporter)?.udp else { return false }
            return via.ip.isLoopback
        }
        return true
    }

    /// Whether a contact may be passed on in an answer to `requester`: never junk, and loopback
    /// only to a requester on loopback.
    func sharesContact(_ endpoint: WireEndpoint, with requester: PeerAddress?) -> Bool {
        if endpoint.isNeverAPeer { return false }
        if endpoint.ip.isLoopback { return requester?.udp?.ip.isLoopback ?? true }
        return true
    }

    /// True for the endpoint this node is reached at (its socket, or its public IP and port).
    /// Behind a NAT our public port need not be our socket's: once the host gave the agreed
    /// public endpoint, only that endpoint is us, and another peer behind the same NAT that got
    /// our socket's port number outside is not mistaken for ourselves.
    func isOwnEndpoint(_ endpoint: WireEndpoint, _ s: NodeState) -> Bool {
        guard let local = localAddress.udp else { return false }
        let ip = endpoint.ip.normalized
        if endpoint.port == local.port, ip == local.ip.normalized { return true }
        guard ip == s.selfExternalIP else { return false }
        return endpoint.port == (s.selfExternalPort ?? local.port)
    }
}
