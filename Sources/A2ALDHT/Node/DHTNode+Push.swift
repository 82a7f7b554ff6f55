import A2ALCore
import A2ALProtocol

/// One-shot push subscriptions, both roles (docs/protocol.md, "One-shot push subscriptions").
///
/// As a storing node: a FIND_VALUE with `one_shot_subscribe` whose answer carried records
/// registers its source; the next record newly stored at that key by an inbound STORE is pushed
/// to every live subscriber once (DHT_PUSH), and an ACK with `one_shot_subscribe` renews it.
/// As a querier: lookups at keys the host watches set the flag towards peers that have shown
/// they understand it; a push is accepted only when it answers such a subscription, and its
/// record is verified like a stored one before the host hears of it.
extension DHTNode {
    // MARK: Watching (querier side)

    /// Starts watching `key`: lookups at it ask for pushes, and pushes for it are delivered as
    /// `recordPushed` events. Calls nest; each needs its `unwatch`. False when the node already
    /// watches as many keys as it may.
    @discardableResult
    public func watch(_ key: NodeID) -> Bool {
        state.withLock { s in
            if s.watched[key] == nil, s.watched.count >= PushConstants.maxWatchedKeys { return false }
            s.watched[key, default: 0] += 1
            return true
        }
    }

    /// Ends one `watch` of `key`; the last one also forgets the pushes we were promised there.
    public func unwatch(_ key: NodeID) {
        state.withLock { s in
            guard let n = s.watched[key] else { return }
            if n > 1 {
                s.watched[key] = n - 1
            } else {
                s.watched[key] = nil
                s.pushExpectations.forget(key: key)
            }
        }
    }

    public func isWatching(_ key: NodeID) -> Bool { state.withLock { $0.watched[key] != nil } }

    /// Whether a FIND_VALUE at `key` to `peer` should carry `one_shot_subscribe`.
    func asksForPush(at key: NodeID, from peer: NodeID) -> Bool {
        switch wireProfile {
        case .v017: return false
        // The reference flags its searches and polls (the lookups of watched keys here) to
        // every peer, whatever it has shown.
        case .v029: return isWatching(key)
        case .current:
            return state.withLock { $0.watched[key] != nil && $0.generations.generation(of: peer) >= .v024 }
        }
    }

    /// Bookkeeping after a FIND_VALUE that carried the flag: an answer with records means the
    /// peer registered us; a timeout counts towards forgetting that the peer knows the flag.
    func noteSubscribeOutcome(key: NodeID, peer: NodeID, answeredWithRecords: Bool?) {
        let now = clock.now()
        state.withLock { s in
            switch answeredWithRecords {
            case nil: s.generations.newFieldTimedOut(peer)
            case true?:
                s.generations.newFieldAnswered(peer)
                s.pushExpectations.expect(key: key, from: peer, now: now)
            case false?: s.generations.newFieldAnswered(peer)
            }
        }
    }

    /// A DHT_PUSH from `senderID`: accepted only as the answer to a subscription we made; its
    /// record must verify and be valid at the key. A valid push is acknowledged (renewing while
    /// we still watch the key) and delivered; an invalid one is acknowledged without renewal so
    /// the pusher lets go; an unexpected one is dropped unanswered. Every drop is counted.
    func receivePush(_ push: DHTPush, request: Packet, senderID: NodeID, from: PeerAddress, replies: inout [PendingReply]) {
        let now = clock.now()
        let expected = state.withLock { $0.pushExpectations.fulfil(key: push.key, from: senderID, now: now) }
        guard expected || wireProfile == .v029 else {
            counters.bump(counters.droppedUnexpectedPush)
            return
        }
        guard let record = try? verifier.verify(push.record, at: push.key, now: clock.unixSeconds()) else {
            counters.bump(counters.droppedInvalidPush)
            replies.append(PendingReply(.dhtPushAck(DHTPushAck(acknowledging: push, renew: false)), to: request, from: from))
            return
        }
        counters.bump(counters.pushesReceived)
        let renew = state.withLock { s -> Bool in
            guard s.watched[push.key] != nil else { return false }
            s.pushExpectations.expect(key: push.key, from: senderID, now: now)
            return true
        }
        replies.append(PendingReply(.dhtPushAck(DHTPushAck(acknowledging: push, renew: renew)), to: request, from: from))
        events.recordPushed?(record, senderID)
    }

    // MARK: Pushing (storing side)

    func registerSubscriber(key: NodeID, address: PeerAddress, peer: NodeID, now: Tick) {
        guard wireProfile != .v017 else { return }
        let outcome = state.withLock { $0.pushSubscribers.register(key: key, address: address, peer: peer, now: now) }
        if outcome == .refusedSourceFull {
            counters.bump(counters.subscriptionsRefused)
        } else {
            counters.bump(counters.subscriptionsRegistered)
        }
    }

    /// Pushes a record newly stored at `key` to every live subscriber of the key, consuming
    /// the subscriptions (each yields one push unless its ACK renews it).
    func pushToSubscribers(of key: NodeID, record: SignedRecord) {
        let now = clock.now()
        let (due, limited) = state.withLock { s -> ([PushSubscriberTable.Subscriber], Int) in
            let all = s.pushSubscribers.consume(key, now: now)
            let allowed = all.filter { sub in
                guard let ip = sub.address.udp?.ip.normalized else { return true }
                return s.pushLimiter.allow(ip, now: now)
            }
            return (allowed, all.count - allowed.count)
        }
        if limited > 0 { counters.pushesRateLimited.wrappingAdd(UInt64(limited), ordering: .relaxed) }
        for sub in due {
            spawnTracked { [weak self] in await self?.push(record, at: key, to: sub) }
        }
    }

    /// One DHT_PUSH, one datagram, 2 s for the ACK. No answer is not held against the
    /// subscriber (it may have moved on), and nothing is retried.
    private func push(_ record: SignedRecord, at key: NodeID, to sub: PushSubscriberTable.Subscriber) async {
        counters.bump(counters.pushesSent)
        guard let reply = try? await request(.dhtPush(DHTPush(key: key, record: record)), to: sub.address,
                                             expectedID: sub.peer, timeout: PushConstants.ackTimeout, attempts: 1,
                                             attemptTimeout: PushConstants.ackTimeout, chargeFailures: false),
              case .dhtPushAck(let ack) = reply.packet.body else { return }
        counters.bump(counters.pushesAcknowledged)
        if ack.oneShotSubscribe { registerSubscriber(key: key, address: sub.address, peer: sub.peer, now: clock.now()) }
    }

    /// Drops expired subscriptions (the maintenance pass calls this).
    func prunePushSubscriptions() {
        let now = clock.now()
        state.withLock { $0.pushSubscribers.pruneExpired(now: now) }
    }
}
