import A2ALCore
import A2ALProtocol

extension DHTNode {
    /// The 15-second maintenance pass (docs/node-behaviour.md §11): republish our records due for
    /// renewal, drop sets whose record expired, probe due replicas, then routing maintenance.
    public func runMaintenancePass() async {
        await maintainReplication()
        await maintainRouting()
        prunePushSubscriptions()
        syncPinnedKeys()
    }

    func runMaintenanceLoop() async {
        while !Task.isCancelled {
            do { try await clock.sleep(for: ReplicationConstants.tickInterval) } catch { return }
            await runMaintenancePass()
        }
    }

    // MARK: Replication

    private func maintainReplication() async {
        let unix = clock.unixSeconds()
        let now = clock.now()
        // Republish before expiry; forget sets whose record expired without a renewer.
        let (republish, due) = replication.withLock { sets -> ([(ReplicaKey, RecordRenewer)], [(ReplicaKey, NodeID)]) in
            var renewals: [(ReplicaKey, RecordRenewer)] = []
            var probes: [(ReplicaKey, NodeID)] = []
            for (rk, set) in sets {
                let halfLife = set.record.timestamp + UInt64(set.record.ttl) / 2
                // A set whose renewer keeps failing still ends when its record expires.
                if set.record.isExpired(now: unix) && (set.renew == nil || set.renewFailures > 0) {
                    sets[rk] = nil
                    continue
                }
                if let renew = set.renew, unix >= halfLife {
                    renewals.append((rk, renew))
                } else if set.record.isExpired(now: unix) {
                    sets[rk] = nil
                    continue
                }
                for (id, m) in set.members where m.nextProbeAt < now { probes.append((rk, id)) }
            }
            return (renewals, probes)
        }
        for (rk, renew) in republish {
            guard let fresh = try? renew(unix) else {
                replication.withLock { $0[rk]?.renewFailures += 1 }
                continue
            }
            replication.withLock { $0[rk]?.renewFailures = 0 }
            _ = try? publish(fresh, at: rk.storeKey, renew: renew)
        }
        // Probes run concurrently so one pass stays well inside its 15 s period however many
        // replicas are silent (the reference probes one after another, 2 s each).
        let outcomes = await withTaskGroup(of: ProbeOutcome.self) { group in
            for (rk, id) in due { group.addTask { ProbeOutcome(key: rk, member: id, followUp: await self.probe(rk, id)) } }
            var all: [ProbeOutcome] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        // A set probed more than once, or also left by a banned member, gets the most it needs.
        var followUps = Dictionary(outcomes.map { ($0.key, $0.followUp) }, uniquingKeysWith: { max($0, $1) })
        // A member caught withholding one record is banned (`dropReplica`), so it leaves every
        // other set it belongs to now, not when its probe there comes due: a topic or mailbox
        // set never asks it for the record, and a liar answers every PING (§5.7).
        let caught = Set(outcomes.filter { $0.followUp == .lookUpAnew }.map(\.member))
        followUps.merge(removeFromEverySet(caught).map { ($0, .refill) }, uniquingKeysWith: { max($0, $1) })
        for (rk, followUp) in followUps {
            switch followUp {
            case .none:
                continue
            case .refill:
                await refill(rk)
                scheduleTopUpIfShort(rk)
            case .lookUpAnew:
                // Our table near the key may hold only the withholder's colluders: a new lookup,
                // which no longer admits the banned member, finds who else is close (§5.7).
                renewWithFreshLookup(rk)
            }
        }
    }

    private struct ProbeOutcome: Sendable {
        let key: ReplicaKey
        let member: NodeID
        let followUp: ProbeFollowUp
    }

    /// Takes `ids` out of every replica set that still counts them; returns the sets that lost
    /// a member.
    private func removeFromEverySet(_ ids: Set<NodeID>) -> [ReplicaKey] {
        guard !ids.isEmpty else { return [] }
        return replication.withLock { sets in
            let affected = sets.compactMap { rk, set in set.members.keys.contains(where: ids.contains) ? rk : nil }
            for rk in affected {
                for id in ids { sets[rk]?.members[id] = nil }
            }
            return affected
        }
    }

    /// What a probe leaves its set needing, least to most.
    private enum ProbeFollowUp: Comparable, Sendable {
        case none
        /// A member left or went bad: top up from the routing table.
        case refill
        /// A member was caught withholding the record: find the key's closest nodes again.
        case lookUpAnew
    }

    /// Probes one replica and says what its set needs next (docs/routing.md §5.7).
    private func probe(_ rk: ReplicaKey, _ id: NodeID) async -> ProbeFollowUp {
        guard let address = dialAddress(of: id) else {
            return replication.withLock { sets -> ProbeFollowUp in
                sets[rk]?.members[id]?.addresslessProbes += 1
                sets[rk]?.members[id]?.nextProbeAt = clock.now() + ReplicationConstants.probeInitialDelay
                if (sets[rk]?.members[id]?.addresslessProbes ?? 0) >= ReplicationConstants.maxAddresslessProbes {
                    sets[rk]?.members[id] = nil
                    return .refill
                }
                return .none
            }
        }
        let (mayShortcut, checkHolding) = replication.withLock { sets -> (Bool, Bool) in
            guard let m = sets[rk]?.members[id] else { return (false, false) }
            // Only an endpoint record at its publisher's own key: one answer there always has room for it.
            let checkable = rk.recType == RecordType.endpoint && rk.storeKey == rk.publisher
            return (m.failCount == 0 && !m.forcePing, checkable && !m.holdingConfirmed)
        }
        var ok: Bool
        if checkHolding {
            // Until a member has shown it holds an endpoint record, its probe asks for the record:
            // a liar acknowledges the STORE, drops the record and answers every PING, and a set
            // of such members leaves the record with no one (docs/routing.md §5.7).
            switch await heldRecord(rk, at: address, id: id) {
            case .held: ok = true
            case .unanswered: ok = false
            case .missing: return dropReplica(rk, id)
            }
        } else {
            // A peer that answered us within the last probe period has just shown what a probe
            // would show; the ping is skipped (BEP 5's "good node" rule), so probes cost traffic
            // only for replicas we have not otherwise heard from. Not after a failed probe: then
            // only a PING settles it.
            let heard = mayShortcut ? state.withLock { $0.health.snapshot(of: id)?.lastSuccess } : nil
            let recent = heard.map { clock.now() - $0 < ReplicationConstants.probeInitialDelay } ?? false
            ok = recent
            if !recent {
                ok = (try? await ping(address, expectedID: id, timeout: ReplicationConstants.probeTimeout, attempts: 1)) != nil
            }
        }
        let now = clock.now()
        if !ok {
            let t = state.withLock { $0.health.recordProbeFailure(id, now: now) }
            if let t { events.peerHealthChanged?(t) }
        }
        return replication.withLock { sets -> ProbeFollowUp in
            guard var m = sets[rk]?.members[id] else { return .none }
            m.forcePing = false
            if ok {
                if checkHolding { m.holdingConfirmed = true }
                m.failCount = 0
                m.badSince = nil
                m.probeDelay = min(m.probeDelay * 2, ReplicationConstants.probeMaxDelay)
                m.nextProbeAt = now + m.probeDelay
                sets[rk]?.members[id] = m
                return .none
            }
            m.failCount += 1
            if m.badSince != nil {
                sets[rk]?.members[id] = nil
                return .refill
            }
            if m.failCount >= 2 {
                m.badSince = now
                m.nextProbeAt = now + ReplicationConstants.probeBadDelay
                sets[rk]?.members[id] = m
                return .refill
            }
            m.nextProbeAt = now + ReplicationConstants.probeInitialDelay
            sets[rk]?.members[id] = m
            return .none
        }
    }

    private enum HeldRecord { case held, missing, unanswered }

    /// Asks replica `id` for the set's endpoint record: held when it answers with any version
    /// of it (an older one is brought up to date by the next renewal), missing when it answers
    /// without it.
    private func heldRecord(_ rk: ReplicaKey, at address: PeerAddress, id: NodeID) async -> HeldRecord {
        do {
            let found = try await findEndpointRecord(at: address, expectedID: id, key: rk.storeKey,
                                                     timeout: ReplicationConstants.probeTimeout)
            return found?.record.address.nodeID == rk.publisher ? .held : .missing
        } catch {
            return .unanswered
        }
    }

    /// Removes a member that acknowledged the record and did not keep it, for good, and bans it
    /// from the routing table, our lookups and every replica set for a while (docs/security.md,
    /// "Peers that drop records"; the pass then takes it out of the other sets); the set needs
    /// the key's closest nodes found again.
    private func dropReplica(_ rk: ReplicaKey, _ id: NodeID) -> ProbeFollowUp {
        replication.withLock { sets in
            sets[rk]?.members[id] = nil
            sets[rk]?.dropped.insert(id)
        }
        let now = clock.now()
        state.withLock { $0.routing.banForWithholding(id, now: now) }
        counters.bump(counters.withholdingReplicas)
        return .lookUpAnew
    }

    // MARK: Routing

    /// Pending-contact probes (5), stale-entry probes (10) and bucket refills (2, skipped in
    /// passive mode) per pass (docs/routing.md §1.9).
    private func maintainRouting() async {
        let now = clock.now()
        let cutoff = now - NodeConstants.verifiedFreshWindow
        let work = state.withLock { $0.routing.collectMaintenanceWork(now: now, freshCutoff: cutoff, staleCutoff: cutoff) }
        await withTaskGroup(of: Void.self) { group in
            for cached in work.pendingToProbe.prefix(NodeConstants.maintenancePendingPerPass) {
                group.addTask { await self.probeCached(cached.contact) }
            }
            for entry in work.staleToProbe.prefix(NodeConstants.maintenanceStalePerPass) {
                group.addTask { await self.probeStale(entry.contact) }
            }
        }
        guard !isPassiveRouting else { return }
        // Buckets deeper than the network is wide are naturally empty (a network of n nodes
        // fills about log2(n) buckets); refilling them only burns traffic.
        let estimate = max(2, estimatedNetworkSize())
        let deepest = (Int.bitWidth - estimate.leadingZeroBitCount) + NodeConstants.refillDepthMargin
        let refills = work.bucketsToRefill.filter { b in
            let length = state.withLock { $0.routing.bucketLength(b) }
            if b > deepest && length == 0 { return false }
            // Bucket b covers a 2^-(b+1) share of the ID space: about n / 2^(b+1) nodes exist
            // for it. A deep bucket already holding half of what exists cannot gain from a
            // refill, and asking anyway costs a whole lookup every cooldown on every node (at
            // n = 5,000 that was most of the idle traffic).
            let expected = b >= Int.bitWidth - 1 ? 0 : estimate >> (b + 1)
            return length < min(NodeConstants.k / 2, expected / 2)
        }
        for bucket in refills.sorted(by: >).prefix(NodeConstants.maintenanceRefillsPerPass) {
            let before = state.withLock { $0.routing.discoveryCount(bucket: bucket) }
            let target = RoutingTable.randomID(inBucket: bucket, of: nodeID)
            spawnTracked { [weak self] in
                guard let self else { return }
                _ = await self.lookup(target, timeout: NodeConstants.refillLookupTimeout)
                self.state.withLock { s in
                    s.routing.recordRefillOutcome(bucket: bucket, improved: s.routing.discoveryCount(bucket: bucket) > before)
                }
            }
        }
    }

    /// A replacement-cache candidate answers → promoted when its bucket has room; else dropped.
    private func probeCached(_ contact: Contact) async {
        let id = contact.nodeID
        guard let address = dialAddress(of: id) ?? contact.endpoint.map({ PeerAddress.udp($0) }) else {
            state.withLock { $0.routing.dropCached(id) }
            return
        }
        if (try? await ping(address, expectedID: id, timeout: NodeConstants.lruCheckTimeout, attempts: 1)) != nil {
            state.withLock { _ = $0.routing.markCachedVerified(id, now: clock.now()) }
        } else {
            state.withLock { s in
                _ = s.health.recordProbeFailure(id, now: clock.now())
                s.routing.dropCached(id)
            }
        }
    }

    /// A stale table entry that does not answer is removed.
    private func probeStale(_ contact: Contact) async {
        let id = contact.nodeID
        guard let address = dialAddress(of: id) ?? contact.endpoint.map({ PeerAddress.udp($0) }) else {
            state.withLock { _ = $0.routing.remove(id) }
            return
        }
        if (try? await ping(address, expectedID: id, timeout: NodeConstants.lruCheckTimeout, attempts: 1)) == nil {
            state.withLock { s in
                _ = s.health.recordProbeFailure(id, now: clock.now())
                _ = s.routing.remove(id)
            }
        }
    }
}
