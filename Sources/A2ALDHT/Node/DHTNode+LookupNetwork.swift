import A2ALCore
import A2ALProtocol

/// The node as its lookups see it (`LookupNetwork`).
extension DHTNode: LookupNetwork {
    func report(hearsay: [NodeInfo], from reporter: NodeID?, admitting: [LookupContact]) -> [LookupPeer] {
        let now = clock.now()
        var outcomes: [AddOutcome] = []
        var junk = 0
        let peers = state.withLock { s -> [LookupPeer] in
            if let reporter {
                for info in hearsay where info.isConsistent && info.nodeID != nodeID {
                    if let outcome = absorb(info, learnedFrom: reporter, now: now, &s) { outcomes.append(outcome) } else { junk += 1 }
                }
            }
            return admitting.compactMap { c -> LookupPeer? in
                // A peer banned for withholding records is neither asked nor counted among the
                // closest (docs/security.md, "Peers that drop records").
                guard c.id != nodeID, !s.routing.isBannedForWithholding(c.id, now: now),
                      let address = s.dial.address(of: c.id) ?? c.endpoint.map({ PeerAddress.udp($0) }) else {
                    return nil
                }
                if isHairpin(address, s) {
                    noteSameNATPeer(c.id, now: now, &s)
                    return nil
                }
                return LookupPeer(id: c.id, info: c.info, address: address, bad: s.health.health(of: c.id) == .bad,
                                  attemptTimeout: s.roundTrips.attemptTimeout(peerRTT: s.health.rtt(of: c.id)))
            }
        }
        if junk > 0 { counters.droppedJunkContacts.wrappingAdd(UInt64(junk), ordering: .relaxed) }
        outcomes.forEach(handle)
        return peers
    }

    func ask(_ peer: LookupPeer, target: NodeID, mode: IterativeLookup.Mode) async -> LookupReply? {
        do {
            switch mode {
            case .nodes:
                let nodes = try await findNode(at: peer.address, expectedID: peer.id, lookingFor: target,
                                               timeout: peer.rpcTimeout, attempts: LookupConstants.attemptsPerPeer,
                                               attemptTimeout: peer.attemptTimeout)
                return LookupReply(nodes: nodes, records: [])
            case .records(let recType, let threshold):
                let r = try await findValue(at: peer.address, expectedID: peer.id, key: target, recType: recType,
                                            timeout: peer.rpcTimeout, attempts: LookupConstants.attemptsPerPeer,
                                            attemptTimeout: peer.attemptTimeout)
                var all = r.records
                // Aggregating: a holder with more records than fit one answer pages through
                // them on repeated requests (`HolderPaging`).
                if threshold == 0, r.records.count > 1 {
                    all = await HolderPaging(maxPages: LookupConstants.maxPagesPerPeer).collect(first: r.records) {
                        try? await self.findValue(at: peer.address, expectedID: peer.id, key: target, recType: recType,
                                                  timeout: peer.rpcTimeout, attempts: LookupConstants.attemptsPerPeer,
                                                  attemptTimeout: peer.attemptTimeout).records
                    }
                }
                // Verified here, in the RPC's own task: off the node's lock and the transport's thread.
                let now = clock.unixSeconds()
                return LookupReply(nodes: r.nodes, records: all.compactMap { try? verifier.verify($0, at: target, now: now) })
            }
        } catch {
            return nil
        }
    }
}
