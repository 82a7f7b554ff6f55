import A2ALCore
import A2ALProtocol

extension DHTNode {
    /// Publishes a record: stored locally at once (so we answer for it immediately), then
    /// replicated in the background to the closest reachable peers. `key` zero means
    /// NodeID(record.address) (endpoint and other sovereign records); topic records go at their
    /// topic key, mailbox records at the recipient's NodeID. With `renew`, the node re-signs and
    /// republishes the record when half its lifetime has passed (docs/deviations.md §5).
    @discardableResult
    public func publish(_ record: SignedRecord, at key: NodeID = .zero, renew: RecordRenewer? = nil) throws(DHTError) -> NodeID {
        let storeKey = try localPut(record, at: key).key
        let rk = ReplicaKey(storeKey: storeKey, publisher: record.address.nodeID, recType: record.recType)
        replication.withLock { sets in
            if sets[rk] == nil {
                sets[rk] = ReplicaSet(record: record, renew: renew)
            } else {
                sets[rk]?.record = record
                if let renew { sets[rk]?.renew = renew }
            }
        }
        syncPinnedKeys()
        scheduleRenewal(rk)
        return storeKey
    }

    /// Publishes this node's own endpoint record and keeps it fresh: re-signed with a new seq and
    /// republished every half TTL while the node runs.
    @discardableResult
    public func publishOwnEndpoint(_ payload: EndpointPayload, ttl: UInt32 = 3600) throws(DHTError) -> SignedRecord {
        let signer = self.signer
        let make: RecordRenewer = { now in
            let (ts, widened) = SignedRecord.backdated(now: now, ttl: ttl)
            // Seq is the signing time in nanoseconds, so every republish is strictly newer.
            let seq = now &* 1_000_000_000 &+ UInt64.random(in: 0..<1_000_000)
            return try SignedRecord.sign(recType: RecordType.endpoint, payload: payload.encoded, seq: seq,
                                         timestamp: ts, ttl: widened, signer: signer)
        }
        let record: SignedRecord
        do {
            record = try make(clock.unixSeconds())
        } catch {
            throw .local("cannot sign endpoint record: \(error)")
        }
        try publish(record, renew: make)
        return record
    }

    /// Stops replicating everything `publisher` published (docs/node-behaviour.md §10.6). Stored
    /// records stay.
    public func removeReplicaSets(publisher: NodeID) {
        replication.withLock { $0 = $0.filter { $0.key.publisher != publisher } }
        syncPinnedKeys()
    }

    /// Stops replicating one record slot: what `publisher` published at `key` with `recType`.
    /// The stored copy stays (it expires on its own).
    public func removeReplicaSet(key: NodeID, publisher: NodeID, recType: UInt8) {
        let rk = ReplicaKey(storeKey: key, publisher: publisher, recType: recType)
        _ = replication.withLock { $0.removeValue(forKey: rk) }
        syncPinnedKeys()
    }

    /// Number of replica sets and of confirmed replicas in them (diagnostics, tests).
    public var replicationSummary: (sets: Int, replicas: Int) {
        replication.withLock { sets in (sets.count, sets.values.reduce(0) { $0 + $1.members.count }) }
    }

    /// Confirmed replica holders of the record published at `key` by `publisher`.
    public func replicaHolders(key: NodeID, publisher: NodeID, recType: UInt8) -> [NodeID] {
        let rk = ReplicaKey(storeKey: key, publisher: publisher, recType: recType)
        return replication.withLock { $0[rk].map { Array($0.members.keys) } ?? [] }
    }

    /// Starts a background renewal of `rk` unless one is running.
    func scheduleRenewal(_ rk: ReplicaKey) {
        let start = replication.withLock { sets -> Bool in
            guard sets[rk] != nil else { return false }
            guard sets[rk]?.renewing == false else {
                sets[rk]?.renewAgain = true
                return false
            }
            sets[rk]?.renewing = true
            return true
        }
        guard start else { return }
        spawnTracked { [weak self] in
            while let self {
                await self.renew(rk)
                let again = self.replication.withLock { sets -> Bool in
                    guard sets[rk]?.renewAgain == true, !Task.isCancelled else {
                        sets[rk]?.renewing = false
                        return false
                    }
                    sets[rk]?.renewAgain = false
                    return true
                }
                if !again { break }
            }
            self?.scheduleTopUpIfShort(rk)
        }
    }

    /// A set left with fewer than `target` members — a lookup cut short by an overloaded node or
    /// network, STOREs that went unanswered — is renewed again after a back-off that doubles per
    /// short round; a full set resets it (docs/routing.md §5.6). Without this a short set waits
    /// for its half-life renewal, since its members answer their probes and nothing else refills.
    func scheduleTopUpIfShort(_ rk: ReplicaKey) {
        let delay = replication.withLock { sets -> Duration? in
            guard let set = sets[rk] else { return nil }
            guard set.members.count < ReplicationConstants.target else {
                sets[rk]?.topUpDelay = ReplicationConstants.topUpInitialDelay
                return nil
            }
            guard !set.topUpPending else { return nil }
            sets[rk]?.topUpPending = true
            sets[rk]?.topUpDelay = min(set.topUpDelay * 2, ReplicationConstants.topUpMaxDelay)
            return set.topUpDelay
        }
        guard let delay else { return }
        spawnTracked { [weak self] in
            guard let clock = self?.clock else { return }
            let slept: Void? = try? await clock.sleep(for: delay)
            guard let self else { return }
            self.replication.withLock { $0[rk]?.topUpPending = false }
            guard slept != nil, !self.isClosed else { return }
            // The key's recent lookup answer is what fell short.
            self.renewWithFreshLookup(rk)
        }
    }

    /// Renews `rk` from a new lookup of its key, not the one remembered from the last minute.
    func renewWithFreshLookup(_ rk: ReplicaKey) {
        state.withLock { $0.recentLookups.forget(rk.storeKey) }
        scheduleRenewal(rk)
    }

    /// Finds the closest peers for the key and stores the record at existing and new replicas
    /// (docs/routing.md §5.4, with Bad peers skipped).
    func renew(_ rk: ReplicaKey) async {
        guard let record = replication.withLock({ $0[rk]?.record }) else { return }
        if record.isExpired(now: clock.unixSeconds()) {
            replication.withLock { _ = $0.removeValue(forKey: rk) }
            return
        }
        var found: [(NodeID, PeerAddress)] = []
        if isPassiveRouting || isClosed {
            found = nearestHealthy(to: rk.storeKey, count: NodeConstants.k).compactMap { c in
                dialAddress(of: c.nodeID).map { (c.nodeID, $0) }
            }
        } else {
            found = await closestNodes(to: rk.storeKey, timeout: ReplicationConstants.renewalLookupDeadline).compactMap { n in
                address(of: n).map { (n.nodeID, $0) }
            }
        }
        let now = clock.now()
        let (existing, farthest, dropped) = replication.withLock { sets -> ([NodeID], NodeID?, Set<NodeID>) in
            guard let set = sets[rk] else { return ([], nil, []) }
            var renewable: [NodeID] = []
            for (id, m) in set.members {
                if m.badSince == nil { renewable.append(id) } else { sets[rk]?.members[id]?.nextProbeAt = now }
            }
            return (renewable, set.members.count >= ReplicationConstants.target ? set.farthest(from: rk.storeKey) : nil,
                    set.dropped)
        }
        let memberSet = Set(existing)
        var targets: [(NodeID, PeerAddress)] = existing.compactMap { id in dialAddress(of: id).map { (id, $0) } }
        // A full set still takes nodes closer than its farthest member: they displace the
        // farthest ones when `store` trims the set back to its cap. Otherwise a set filled on
        // one side of a partition would never reach the nodes closest to its key once the
        // network is whole again (docs/protocol.md, "Partitions").
        var added = 0
        for (id, addr) in found where added < ReplicationConstants.hardCap {
            guard mayBecomeReplica(id, at: addr, excluding: memberSet, dropped) else { continue }
            if let far = farthest, id.distance(to: rk.storeKey) >= far.distance(to: rk.storeKey) { continue }
            targets.append((id, addr))
            added += 1
        }
        await store(record, in: rk, at: targets)
        if (replication.withLock { $0[rk]?.members.count ?? 0 }) < ReplicationConstants.target { await refill(rk) }
        // Closest nodes that are a ring of ground identities would keep the record from everyone:
        // store it outside the ring too (docs/routing.md §3.14).
        if !isPassiveRouting, !isClosed, let ring = eclipseRing(around: rk.storeKey, closest: found.map(\.0)) {
            await storeOutside(ring, record: record, key: rk.storeKey)
        }
    }

    /// STOREs the record at every target concurrently. A peer that holds the record (stored or
    /// already had) confirms a replica, and so does one that calls the record invalid (that
    /// says nothing about the peer); a peer that refuses us, with no reason or for its own
    /// policy, leaves the set (docs/protocol.md, "STORE_RESP"). A refusal is an answer: it is
    /// first-hand evidence of a live peer and never counts against its health.
    func store(_ record: SignedRecord, in rk: ReplicaKey, at targets: [(NodeID, PeerAddress)]) async {
        guard !targets.isEmpty else { return }
        let answers = await withTaskGroup(of: (NodeID, PeerAddress, StoreOutcome)?.self) { group in
            for (id, addr) in targets {
                group.addTask {
                    guard let outcome = try? await self.storeAt(addr, expectedID: id, key: rk.storeKey, record: record,
                                                                timeout: ReplicationConstants.storeTimeout, attempts: 1) else { return nil }
                    return (id, addr, outcome)
                }
            }
            var out: [(NodeID, PeerAddress, StoreOutcome)] = []
            for await r in group { if let r { out.append(r) } }
            return out
        }
        let refusing = Set(answers.compactMap { a -> NodeID? in
            if case .refused(let why) = a.2, !why.keepsReplica { return a.0 }
            return nil
        })
        let now = clock.now()
        replication.withLock { sets in
            guard sets[rk] != nil else { return }
            // A peer banned while our STORE was in flight (caught withholding another record)
            // joins no set and leaves this one: a renewal that read the members before the ban
            // must not put it back (docs/security.md, "Peers that drop records"). Read under the
            // sets' lock (the one place the node nests its state lock in it), so a ban is either
            // seen here or lands after and is swept by the pass that banned, which takes this lock.
            let banned = state.withLock { s in
                Set(answers.map(\.0).filter { s.routing.isBannedForWithholding($0, now: now) })
            }
            let confirmed = answers.map(\.0).filter { !refusing.contains($0) && !banned.contains($0) }
            let confirmedIDs = Set(confirmed)
            for id in banned { sets[rk]?.members[id] = nil }
            for id in confirmed {
                if sets[rk]?.members[id] != nil {
                    sets[rk]?.members[id]?.confirmedAt = now
                    sets[rk]?.members[id]?.failCount = 0
                    sets[rk]?.members[id]?.badSince = nil
                } else {
                    sets[rk]?.members[id] = Replica(confirmedAt: now, nextProbeAt: now + ReplicationConstants.probeInitialDelay)
                }
            }
            for id in refusing { sets[rk]?.members[id] = nil }
            // Renewals that got no answer are probed at the next tick.
            for (id, _) in targets where !confirmedIDs.contains(id) && !refusing.contains(id) && sets[rk]?.members[id] != nil {
                sets[rk]?.members[id]?.nextProbeAt = now
            }
            while let count = sets[rk]?.members.count, count > ReplicationConstants.hardCap,
                  let far = sets[rk]?.farthest(from: rk.storeKey) {
                sets[rk]?.members[far] = nil
            }
        }
        // A STORE reply is first-hand evidence of a live peer at that address.
        for (id, addr, _) in answers { addVerified(Contact(nodeID: id, endpoint: addr.udp), dial: addr) }
    }

    /// Whether a renewal or refill may store at `id` (docs/routing.md §5.4, §5.7): not us, not
    /// already a member, not a peer that dropped this record or is banned for dropping any, and
    /// a peer we may contact that is not Bad nor behind our own NAT's hairpin.
    private func mayBecomeReplica(_ id: NodeID, at address: PeerAddress, excluding members: Set<NodeID>,
                                  _ dropped: Set<NodeID>) -> Bool {
        guard id != nodeID, !members.contains(id), !dropped.contains(id) else { return false }
        let now = clock.now()
        return state.withLock { s in
            s.health.allowContact(id, now: now) && s.health.health(of: id) != .bad && !isHairpin(address, s)
                && !s.routing.isBannedForWithholding(id, now: now)
        }
    }

    /// Where to reach a node a lookup answered with: its dial address, else the endpoint it
    /// gave (none when that has port 0).
    func address(of node: NodeInfo) -> PeerAddress? {
        dialAddress(of: node.nodeID) ?? (node.port == 0 ? nil : PeerAddress.udp(node.endpoint))
    }

    /// Tops a set up to the target from the healthiest known peers (docs/routing.md §5.6).
    func refill(_ rk: ReplicaKey) async {
        guard let (record, members, dropped) = replication.withLock({ sets in
            sets[rk].map { ($0.record, Set($0.members.keys), $0.dropped) }
        }) else { return }
        let need = ReplicationConstants.target - members.count
        guard need > 0 else { return }
        // Ask for as many beyond the members as we might need: the K nearest are often the
        // members themselves, dead ones included, which would leave nothing to refill with.
        let candidates = nearestHealthy(to: rk.storeKey, count: NodeConstants.k + members.count + dropped.count).compactMap { c -> (NodeID, PeerAddress)? in
            guard let a = dialAddress(of: c.nodeID), mayBecomeReplica(c.nodeID, at: a, excluding: members, dropped) else { return nil }
            return (c.nodeID, a)
        }
        await store(record, in: rk, at: Array(candidates.prefix(need)))
    }

    /// True while `id` is banned for withholding a record it acknowledged (docs/security.md,
    /// "Peers that drop records").
    public func isBannedForWithholding(_ id: NodeID) -> Bool {
        let now = clock.now()
        return state.withLock { $0.routing.isBannedForWithholding(id, now: now) }
    }

    /// Every peer banned for withholding records now (diagnostics, the simulator's census).
    public func bannedForWithholding() -> [NodeID] {
        let now = clock.now()
        return state.withLock { $0.routing.bannedForWithholding(now: now) }
    }

    /// Makes every replica probe due now (tests drive the maintenance pass without waiting).
    func makeReplicaProbesDue(forcePing: Bool = true) {
        let now = clock.now() - .nanoseconds(1)
        replication.withLock { sets in
            for rk in sets.keys {
                for id in sets[rk]?.members.keys.map({ $0 }) ?? [] {
                    sets[rk]?.members[id]?.nextProbeAt = now
                    sets[rk]?.members[id]?.forcePing = forcePing
                }
            }
        }
    }
}
