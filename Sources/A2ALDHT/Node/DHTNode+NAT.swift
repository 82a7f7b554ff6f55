import A2ALCore
import A2ALProtocol

extension DHTNode {
    /// Answers a NAT probe request (node.md §4.5.5): echo the token to the claimed address if it
    /// is public, is the request's own source IP, and the source is within its echo budget.
    /// Nothing goes back to the requester's source.
    func echoNATProbe(_ req: NATProbeRequest, from: PeerAddress, now: Tick) {
        guard let claimed = req.claimed, claimed.ip.isPublic,
              let source = from.udp, source.ip.normalized == claimed.ip.normalized else { return }
        let allowed = state.withLock { $0.natEchoLimiter.allow(source.ip.normalized, now: now) }
        guard allowed else { return }
        do {
            let datagram = try Packet.encode(body: .natProbeEcho(NATProbeEcho(token: req.token)),
                                             txID: Header.randomTxID(), signer: signer)
            try transport.send(datagram, to: .udp(claimed))
        } catch {
            logger.debug("nat echo not sent", metadata: ["to": "\(claimed)", "err": "\(error)"])
        }
        counters.sent(.natProbeEcho)
    }

    /// Our public IP as learned by the host (nil clears it); used for hairpin detection.
    public func setSelfExternalIP(_ ip: IPAddress?) { state.withLock { $0.selfExternalIP = ip?.normalized } }
    public var selfExternalIP: IPAddress? { state.withLock { $0.selfExternalIP } }

    /// True when `address` is our own public IP seen from outside but not our own socket — a peer
    /// behind the same NAT (node.md §10.2). Such addresses are not dialled by lookups/replication.
    public func isHairpin(_ address: PeerAddress) -> Bool {
        guard let e = address.udp, let mine = selfExternalIP, e.ip.normalized == mine else { return false }
        if let local = localAddress.udp, local.port == e.port { return false }
        return true
    }
}
