import A2ALCore
import A2ALDHT
import A2ALProtocol
import A2ALUDP
import Logging
import NIOCore

/// Cold-inbound tests (docs/protocol.md, "NAT classification"): does a packet from a peer our
/// socket never sent to reach it?
///
/// The NAT_PROBE_REQ goes out from a separate ephemeral socket, signed with a throwaway
/// identity, claiming our agreed public address. The prober checks that the request's source IP
/// is the claimed one (docs/node-behaviour.md §4.5.5) — it is, behind our NAT — and echoes to the
/// claimed address, i.e. to our main socket's mapping, from an IP our main socket has not sent to.
/// The throwaway identity keeps the prober from learning the ephemeral port as our node's address.
/// No echo proves nothing until a ping from the ephemeral socket shows the prober alive.
struct NATProber: Sendable {
    /// How long since our socket last sent to an IP before that IP counts as a stranger: longer
    /// than the two minutes RFC 4787 (REQ-5) asks NATs to keep an idle UDP mapping at the least.
    static let coldAfter: Duration = .seconds(600)
    static let echoTimeout: Duration = .seconds(3)
    /// Wait for one answer from a peer asked directly (a ping, a hearsay FIND_NODE): a single
    /// attempt gets the node's per-attempt RPC timeout.
    static let pingTimeout = NodeConstants.rpcAttemptTimeout
    /// Strangers probed per round.
    static let probesPerRound = 4
    /// Table peers asked per round for hearsay (FIND_NODE of a random target).
    static let hearsaySources = 2

    let node: DHTNode
    let clock: any NodeClock
    let sendLog: SendLogTransport
    let group: any EventLoopGroup
    let logger: Logger

    struct Outcome: Sendable {
        let prober: NodeID
        let echoed: Bool
        let alive: Bool
    }

    /// Probes up to `probesPerRound` strangers for `claimed`; outcomes of probes that stayed
    /// cold throughout.
    func round(claimed: WireEndpoint) async -> [Outcome] {
        let socket: UDPTransport
        let replies = ReplyWaiter()
        do {
            socket = try await UDPTransport.bind(host: Self.bindHost(node.localAddress), port: 0, group: group)
            try await socket.start { datagram, from in replies.received(datagram, from: from) }
        } catch {
            logger.warning("nat probe: no ephemeral socket", metadata: ["err": "\(error)"])
            return []
        }
        let candidates = await strangers(excluding: claimed.ip, via: socket, replies: replies)
        guard !candidates.isEmpty else {
            await socket.close()
            logger.debug("nat probe: no stranger to probe through", metadata: ["claimed": "\(claimed)"])
            return []
        }
        // All at once: a stranger found as hearsay is soon dialled by the node's own routing
        // maintenance, after which it is a stranger no more.
        let results = await withTaskGroup(of: Outcome?.self) { group in
            for (id, endpoint) in candidates.prefix(Self.probesPerRound) {
                group.addTask { await probe(id: id, at: endpoint, claimed: claimed, via: socket, replies: replies) }
            }
            var all: [Outcome?] = []
            for await r in group { all.append(r) }
            return all
        }
        let outcomes = results.compactMap { $0 }
        let spoilt = results.count - outcomes.count
        await socket.close()
        // Rounds repeat every few seconds while the class is undecided: debug, not info. A change of
        // class is what operators need, and Daemon+NAT logs that.
        logger.debug("nat probe round", metadata: [
            "claimed": "\(claimed)", "strangers": "\(candidates.count)", "echoed": "\(outcomes.filter(\.echoed).count)",
            "silent_alive": "\(outcomes.filter { !$0.echoed && $0.alive }.count)",
            "silent_dead": "\(outcomes.filter { !$0.echoed && !$0.alive }.count)", "spoilt": "\(spoilt)",
        ])
        return outcomes
    }

    private func probe(id: NodeID, at endpoint: WireEndpoint, claimed: WireEndpoint, via socket: UDPTransport,
                       replies: ReplyWaiter) async -> Outcome? {
        let started = clock.now()
        let token = SecureRandom.bytes(ProtocolConstants.natProbeTokenLength)
        let throwaway = Ed25519.KeyPair.generate()
        let datagram: [UInt8], ping: [UInt8]
        do {
            datagram = try Packet.encode(body: .natProbeRequest(NATProbeRequest(token: token, claimed: claimed)),
                                         txID: Header.randomTxID(), signer: throwaway)
            ping = try Packet.encode(body: .ping(Ping(address: Address.ed25519(publicKey: throwaway.publicKey))),
                                     txID: Header.randomTxID(), signer: throwaway)
        } catch {
            return nil
        }
        let echoed = await node.awaitNATEcho(token: token, timeout: Self.echoTimeout) {
            try socket.send(datagram, to: .udp(endpoint))
        }
        // Our socket sent to the prober meanwhile (a lookup found it): the filter may have been
        // open, so the echo says nothing.
        if let last = sendLog.lastSend(to: endpoint.ip), last + Self.coldAfter > started {
            return nil
        }
        if echoed { return Outcome(prober: id, echoed: true, alive: true) }
        // Alive? Asked from the ephemeral socket, so our main mapping stays untouched.
        let alive = await replies.await(from: endpoint, timeout: Self.pingTimeout, clock: clock) {
            try socket.send(ping, to: .udp(endpoint))
        } != nil
        logger.debug("nat probe: no echo", metadata: ["prober": "\(endpoint)", "alive": "\(alive)"])
        return Outcome(prober: id, echoed: false, alive: alive)
    }

    /// Peers whose IP our socket has not sent to lately: from the routing table, and from the
    /// answers of table peers to a FIND_NODE for a random target. The FIND_NODE goes out from the
    /// ephemeral socket under a throwaway identity, so the node does not learn those contacts
    /// and dial them from our socket before they can be probed (in a small network it would,
    /// within seconds).
    private func strangers(excluding ownIP: IPAddress, via socket: UDPTransport,
                           replies: ReplyWaiter) async -> [(NodeID, WireEndpoint)] {
        let now = clock.now()
        func cold(_ e: WireEndpoint) -> Bool {
            guard e.ip.normalized != ownIP.normalized, e.ip.isPublic else { return false }
            guard let last = sendLog.lastSend(to: e.ip) else { return true }
            return now - last > Self.coldAfter
        }
        var found: [NodeID: WireEndpoint] = [:]
        let entries = node.routingEntries().filter { $0.verifiedAt != nil }
        for e in entries {
            if let ep = e.contact.endpoint, cold(ep) { found[e.contact.nodeID] = ep }
        }
        let clock = self.clock, ownID = node.nodeID
        let answers = await withTaskGroup(of: [NodeInfo].self) { group in
            for asked in entries.shuffled().prefix(Self.hearsaySources) {
                guard let at = asked.contact.endpoint else { continue }
                group.addTask {
                    let throwaway = Ed25519.KeyPair.generate()
                    guard let request = try? Packet.encode(body: .findNode(FindNode(target: .random())),
                                                           txID: Header.randomTxID(), signer: throwaway),
                          let reply = await replies.await(from: at, timeout: Self.pingTimeout, clock: clock, send: {
                              try socket.send(request, to: .udp(at))
                          }),
                          let packet = try? Packet.decode(reply),
                          case .findNodeResp(let resp) = packet.body else { return [] }
                    return resp.nodes ?? []
                }
            }
            var all: [NodeInfo] = []
            for await a in group { all += a }
            return all
        }
        for info in answers where info.nodeID != ownID && info.port != 0 {
            let ep = WireEndpoint(ip: info.ip.normalized, port: info.port)
            if cold(ep) { found[info.nodeID] = ep }
        }
        return found.map { ($0.key, $0.value) }.shuffled()
    }

    /// The ephemeral socket binds where the main one does, so it leaves by the same route.
    static func bindHost(_ local: PeerAddress) -> String {
        guard let ip = local.udp?.ip else { return "::" }
        return ip.description
    }
}
