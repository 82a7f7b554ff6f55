import A2ALCore
import A2ALProtocol

/// A peer's identity as proven by its PONG.
public struct PeerIdentity: Hashable, Sendable {
    public let address: Address
    public let nodeID: NodeID
    /// Our address as the peer saw it (6 or 18 bytes), if reported.
    public let observedWire: [UInt8]
    public var observed: WireEndpoint? { WireEndpoint(wire: observedWire) }
}

/// Records and contacts from one FIND_VALUE.
public struct FindValueResult: Sendable {
    public let records: [SignedRecord]
    public let nodes: [NodeInfo]
}

extension DHTNode {
    /// PING → PONG (docs/node-behaviour.md §5.2.1): proves the peer's identity, binds its address,
    /// adds it as a verified contact and reports our observed address.
    @discardableResult
    public func ping(_ target: PeerAddress, expectedID: NodeID? = nil, timeout: Duration = NodeConstants.rpcDeadline,
                     attempts: Int = NodeConstants.rpcMaxAttempts,
                     attemptTimeout: Duration = NodeConstants.rpcAttemptTimeout) async throws(DHTError) -> PeerIdentity {
        let reply = try await request(.ping(Ping(address: address)), to: target, expectedID: expectedID,
                                      timeout: timeout, attempts: attempts, attemptTimeout: attemptTimeout)
        guard case .pong(let pong) = reply.packet.body else { throw .unexpectedReply("expected PONG") }
        let id = reply.senderID
        addVerified(Contact(nodeID: id, address: pong.address, endpoint: target.udp), dial: target)
        events.observedAddress?(id, pong.observedAddr)
        return PeerIdentity(address: pong.address, nodeID: id, observedWire: pong.observedAddr)
    }

    /// One FIND_NODE to one peer (not iterative, docs/node-behaviour.md §5.2.3). Contacts are
    /// returned as received; the caller decides whether to absorb them.
    public func findNode(at target: PeerAddress, expectedID: NodeID? = nil, lookingFor key: NodeID,
                         timeout: Duration = NodeConstants.rpcDeadline, attempts: Int = NodeConstants.rpcMaxAttempts,
                         attemptTimeout: Duration = NodeConstants.rpcAttemptTimeout) async throws(DHTError) -> [NodeInfo] {
        let reply = try await request(.findNode(FindNode(target: key)), to: target, expectedID: expectedID, timeout: timeout,
                                      attempts: attempts, attemptTimeout: attemptTimeout)
        guard case .findNodeResp(let resp) = reply.packet.body else { throw .unexpectedReply("expected FIND_NODE_RESP") }
        events.observedAddress?(reply.senderID, resp.observedAddr)
        return resp.nodes ?? []
    }

    /// One FIND_VALUE to one peer (docs/node-behaviour.md §5.2.4): `records` if non-empty, else the
    /// legacy single record; records are not verified here.
    ///
    /// With `expectedID` known and the key watched, the request asks for a push of the next
    /// record stored there when the peer has shown it understands that (docs/protocol.md,
    /// "One-shot push subscriptions"); the caller never sets the flag itself.
    public func findValue(at target: PeerAddress, expectedID: NodeID? = nil, key: NodeID, recType: UInt8 = 0,
                          timeout: Duration = NodeConstants.rpcDeadline, attempts: Int = NodeConstants.rpcMaxAttempts,
                          attemptTimeout: Duration = NodeConstants.rpcAttemptTimeout) async throws(DHTError) -> FindValueResult {
        let subscribe = expectedID.map { asksForPush(at: key, from: $0) } ?? false
        let reply: Reply
        do {
            reply = try await request(.findValue(FindValue(target: key, recType: recType, oneShotSubscribe: subscribe)),
                                      to: target, expectedID: expectedID, timeout: timeout, attempts: attempts,
                                      attemptTimeout: attemptTimeout)
        } catch {
            if subscribe, case .timeout = error, let id = expectedID { noteSubscribeOutcome(key: key, peer: id, answeredWithRecords: nil) }
            throw error
        }
        guard case .findValueResp(let resp) = reply.packet.body else { throw .unexpectedReply("expected FIND_VALUE_RESP") }
        events.observedAddress?(reply.senderID, resp.observedAddr)
        let records = resp.effectiveRecords
        if subscribe { noteSubscribeOutcome(key: key, peer: reply.senderID, answeredWithRecords: !records.isEmpty) }
        return FindValueResult(records: records, nodes: resp.nodes ?? [])
    }

    /// The newest endpoint record a peer returns for `key` that verifies there now.
    public func findEndpointRecord(at target: PeerAddress, expectedID: NodeID? = nil, key: NodeID,
                                   timeout: Duration = NodeConstants.rpcDeadline) async throws(DHTError) -> VerifiedRecord? {
        let result = try await findValue(at: target, expectedID: expectedID, key: key, timeout: timeout)
        let now = clock.unixSeconds()
        return result.records.filter { $0.recType == RecordType.endpoint }
            .compactMap { try? verifier.verify($0, at: key, now: now) }
            .reduce(nil) { best, r in best.map { r.isNewer(than: $0) ? r : $0 } ?? r }
    }

    /// STORE at one peer (docs/node-behaviour.md §5.2.2); `key` zero lets the receiver derive
    /// NodeID(address). Returns how the peer answered: a refusal is an outcome, not an error, and
    /// it is never charged against the peer's health (it answered).
    public func storeAt(_ target: PeerAddress, expectedID: NodeID? = nil, key: NodeID, record: SignedRecord,
                        timeout: Duration = NodeConstants.rpcDeadline, attempts: Int = NodeConstants.rpcMaxAttempts) async throws(DHTError) -> StoreOutcome {
        let reply = try await request(.store(Store(record: record, key: key.isZero ? nil : key)), to: target,
                                      expectedID: expectedID, timeout: timeout, attempts: attempts)
        guard case .storeResp(let resp) = reply.packet.body else { throw .unexpectedReply("expected STORE_RESP") }
        return StoreOutcome(resp)
    }

    /// Asks `prober` to send an echo to `claimed` (our believed public address) and waits for it
    /// (docs/node-behaviour.md §5.2.6). Single shot; true if the echo arrived before the timeout.
    public func natProbe(via prober: PeerAddress, claimed: WireEndpoint,
                          timeout: Duration = NodeConstants.rpcAttemptTimeout) async throws(DHTError) -> Bool {
        if isClosed { throw .closed }
        let token = SecureRandom.bytes(ProtocolConstants.natProbeTokenLength)
        let datagram: [UInt8]
        do {
            datagram = try Packet.encode(body: .natProbeRequest(NATProbeRequest(token: token, claimed: claimed)),
                                         txID: Header.randomTxID(), signer: signer)
        } catch {
            throw .outbound(error)
        }
        do throws(TransportError) {
            return try await waitForNATEcho(token: token, timeout: timeout) { () throws(TransportError) in
                try transport.send(datagram, to: prober)
                counters.sent(.natProbeReq)
            }
        } catch {
            throw .transport(error)
        }
    }
}
