import A2ALCore
import A2ALProtocol

extension DHTNode {
    /// Handles what one transport reader found waiting (docs/node-behaviour.md §3.2 / §4), in
    /// stages over the whole batch (docs/architecture.md, "Inbound workers"): the rate limits
    /// for every datagram under one lock, then decoding and each signature check, then each
    /// request's handling, then signing and sending every reply. Runs on one of the transport's
    /// reader threads, several at once over UDP: decoding, signature checks and signing take no
    /// lock, and node state is touched only in short steps under `state`. It never waits on the
    /// network. Under load this answered 3–8% more per second than one datagram at a time: one
    /// lock for the batch's limits, and no reader wake-up between datagrams (docs/benchmarks.md,
    /// "Both cores for inbound work").
    func receive(_ batch: [InboundDatagram]) {
        let now = clock.now()
        var packets: [(packet: Packet, from: PeerAddress)] = []
        packets.reserveCapacity(batch.count)
        for datagram in admitted(batch, now: now) {
            if let packet = decode(datagram, now: now) { packets.append((packet, datagram.from)) }
        }
        var replies: [PendingReply] = []
        replies.reserveCapacity(packets.count)
        for (packet, from) in packets { dispatch(packet, from: from, now: now, replies: &replies) }
        for reply in replies { send(reply) }
    }

    /// The datagrams both rate limits let through, per source first, so one flooding address
    /// spends its own tokens and not everyone's; the others are counted. One lock for the batch.
    private func admitted(_ batch: [InboundDatagram], now: Tick) -> [InboundDatagram] {
        counters.rxDatagrams.wrappingAdd(UInt64(batch.count), ordering: .relaxed)
        return state.withLock { s in
            batch.filter { datagram in
                if let ip = datagram.from.udp?.ip, s.inboundLimiter?.allow(ip.normalized, now: now) == false {
                    counters.bump(counters.droppedRateLimited)
                    return false
                }
                if s.globalLimiter?.allow(now: now) == false {
                    counters.bump(counters.droppedGlobalRateLimited)
                    return false
                }
                return true
            }
        }
    }

    /// The verified packet of a datagram; nil (counted, the failure logged at most every 30 s)
    /// for one that fails to decode or verify.
    private func decode(_ datagram: InboundDatagram, now: Tick) -> Packet? {
        do {
            return try Packet.decode(datagram.bytes, schema: wireProfile.decodeSchema)
        } catch {
            if case .unknownMessageType = error {
                counters.bump(counters.droppedUnknownType)
            } else {
                counters.bump(counters.droppedMalformed)
            }
            let log = state.withLock { s -> Bool in
                guard now >= s.nextDecodeWarning else { return false }
                s.nextDecodeWarning = now + NodeConstants.decodeWarningInterval
                return true
            }
            if log { logger.warning("dht decode failed", metadata: ["from": "\(datagram.from)", "err": "\(error)"]) }
            return nil
        }
    }

    /// Handles one verified packet; the reply to a request joins `replies`, signed and sent
    /// once the whole batch is handled.
    private func dispatch(_ packet: Packet, from: PeerAddress, now: Tick, replies: inout [PendingReply]) {
        counters.bump(counters.rxVerified)
        counters.byType.received(packet.body.type)
        let sender = packet.senderAddress
        let senderID = sender.nodeID
        noteGeneration(shownBy: packet.body, from: senderID)

        switch packet.body {
        case .pong, .findNodeResp, .findValueResp, .storeResp, .dhtPushAck:
            let reply = Reply(packet: packet, from: from, senderID: senderID)
            if let waiter = pending.withLock({ $0.match(reply) }) {
                waiter.continuation.resume(returning: reply)
            } else {
                counters.bump(counters.droppedUnsolicited)
            }
        case .ping:
            remember(sender, id: senderID, from: from, now: now)
            replies.append(PendingReply(.pong(Pong(address: address, observed: observed(from))), to: packet, from: from))
        case .findNode(let req):
            remember(sender, id: senderID, from: from, now: now)
            let nodes = replyNeighbours(for: req.target, requester: senderID, requesterAddress: from, now: now)
            let body = FindNodeResp(nodes: nodes.isEmpty ? nil : nodes, observed: observed(from))
            replies.append(PendingReply(.findNodeResp(trimmed(body)), to: packet, from: from))
        case .findValue(let req):
            remember(sender, id: senderID, from: from, now: now)
            let answer = findValueAnswer(req, requester: senderID, from: from, now: now)
            replies.append(PendingReply(.findValueResp(answer), to: packet, from: from))
            // Subscribe only a requester whose answer carried records, as the reference does.
            if req.oneShotSubscribe, !answer.effectiveRecords.isEmpty {
                registerSubscriber(key: req.target, address: from, peer: senderID, now: now)
            }
        case .store(let req):
            remember(sender, id: senderID, from: from, now: now)
            answerStore(req, request: packet, senderID: senderID, from: from, replies: &replies)
        case .dhtPush(let push):
            receivePush(push, request: packet, senderID: senderID, from: from, replies: &replies)
        case .natProbeRequest(let req):
            remember(sender, id: senderID, from: from, now: now)
            echoNATProbe(req, from: from, now: now)
        case .natProbeEcho(let echo):
            remember(sender, id: senderID, from: from, now: now)
            let waiter = state.withLock { $0.natWaiters.removeValue(forKey: echo.token) }
            waiter?.resume(returning: true)
        }
    }

    /// Learns what a peer's verified message shows of its wire generation.
    func noteGeneration(shownBy body: MessageBody, from id: NodeID) {
        let shown: WireGeneration
        switch body {
        case .findValue(let b) where b.oneShotSubscribe: shown = .v024
        case .dhtPush, .dhtPushAck: shown = .v024
        case .storeResp(let b) where b.alreadyHad || b.reason != 0: shown = .v018
        default: return
        }
        state.withLock { $0.generations.observe(id, shows: shown) }
    }

    /// The wire generation we credit `id` with.
    public func wireGeneration(of id: NodeID) -> WireGeneration {
        state.withLock { $0.generations.generation(of: id) }
    }

    /// Stores an inbound STORE's record and answers it the way the requester's generation
    /// accepts (docs/protocol.md, "STORE_RESP"): a duplicate or older record is `{1:true}`
    /// (v0.1.7 answered `{1:false}`, which v0.2.x reads as a refusal of the peer), with
    /// `already_had` only to peers that know it; a refusal carries its reason likewise.
    /// The record is verified first, by the pure `verifier` with no lock held; only the put
    /// that follows takes the node's lock.
    func answerStore(_ req: Store, request: Packet, senderID: NodeID, from: PeerAddress, replies: inout [PendingReply]) {
        let extended = wireProfile == .v029 || (wireProfile == .current && wireGeneration(of: senderID) >= .v018)
        let resp: StoreResp
        do {
            let verified = try verifier.verify(req.record, at: req.key ?? .zero, now: clock.unixSeconds())
            let key = try putLocally(verified, source: from.udp.flatMap(SubnetKey.init))
            resp = StoreResp(stored: true)
            replies.append(PendingReply(.storeResp(resp), to: request, from: from))
            // The reference looks subscribers up under the STORE's key field only.
            if let notifyKey = wireProfile == .v029 ? req.key : key { pushToSubscribers(of: notifyKey, record: req.record) }
            return
        } catch .stale {
            resp = wireProfile == .v017 ? StoreResp(stored: false) : StoreResp(stored: true, alreadyHad: extended)
        } catch .overQuota {
            // Our own limit, not the record's fault: a policy refusal (the publisher looks elsewhere).
            resp = StoreResp(stored: false, reason: extended ? StoreReason.policy : StoreReason.none)
        } catch {
            resp = StoreResp(stored: false, reason: extended ? StoreReason.recordInvalid : StoreReason.none)
        }
        replies.append(PendingReply(.storeResp(resp), to: request, from: from))
    }

    /// The observed_addr we report back to a requester (docs/protocol.md §3.8): its source, an
    /// IPv4-mapped IPv6 address as IPv4, or the 127.0.0.1:0 placeholder (`.unknown`) for a
    /// source that is not UDP. Built from the endpoint, not through its wire bytes: every
    /// answer carries one.
    func observed(_ from: PeerAddress) -> WireEndpoint {
        from.udp?.normalized ?? .unknown
    }

    /// Registers the sender of a verified inbound request (docs/node-behaviour.md §4.2): first-hand
    /// dial address, verified routing contact, seen-peers sighting.
    func remember(_ sender: Address, id: NodeID, from: PeerAddress, now: Tick) {
        let unix = clock.unixSeconds()
        let outcome = state.withLock { s -> AddOutcome in
            s.dial.bind(id, from, firstHand: true)
            s.seen.record(id, unixSeconds: unix)
            return s.routing.add(Contact(nodeID: id, address: sender, endpoint: from.udp),
                                 verifiedAt: now, learnedFrom: nil, now: now)
        }
        handle(outcome)
    }

    /// Signs and sends a reply (docs/node-behaviour.md §4.8).
    func send(_ reply: PendingReply) {
        do {
            let datagram = try Packet.encode(body: reply.body, txID: reply.txID, signer: signer)
            try transport.send(datagram, to: reply.destination)
            counters.sent(reply.body.type)
        } catch TransportError.closed {
            return  // shutting down
        } catch {
            counters.bump(counters.replySendFailures)
            // Rate-limited: a peer that can make our replies fail must not be able to flood the log.
            let now = clock.now()
            let log = state.withLock { s -> Bool in
                guard now >= s.nextReplyWarning else { return false }
                s.nextReplyWarning = now + NodeConstants.decodeWarningInterval
                return true
            }
            if log {
                logger.warning("dht reply failed (further failures counted, logged at most every 30 s)",
                               metadata: ["msg_type": "\(reply.body.type)", "to": "\(reply.destination)", "err": "\(error)"])
            }
        }
    }

    /// FIND_NODE_RESP trimmed from the end until its body fits 1050 bytes (docs/node-behaviour.md
    /// §4.5.2). Sizes are computed, not encoded: {1: [nodes], 2: observed} is 5 bytes of framing
    /// plus the observed address plus each contact (the list head stays one byte for ≤ 23 entries).
    func trimmed(_ resp: FindNodeResp) -> FindNodeResp {
        var r = resp
        guard var nodes = r.nodes, !nodes.isEmpty else { return r }
        var size = 5 + r.observedAddr.count + nodes.reduce(0) { $0 + $1.encodedSize }
        while size > ProtocolConstants.responseBodyTrimTarget, nodes.count > 1 {
            size -= nodes.removeLast().encodedSize
        }
        r.nodes = nodes
        return r
    }
}

extension FindValueResp {
    var encodedSize: Int { MessageBody.findValueResp(self).encoded.count }
}

/// A reply to an inbound request, waiting to be signed and sent with the rest of its batch's.
struct PendingReply {
    let body: MessageBody
    /// The request's tx_id, which the reply carries.
    let txID: [UInt8]
    /// The request's source.
    let destination: PeerAddress

    init(_ body: MessageBody, to request: Packet, from: PeerAddress) {
        self.body = body
        txID = request.header.txID
        destination = from
    }
}
