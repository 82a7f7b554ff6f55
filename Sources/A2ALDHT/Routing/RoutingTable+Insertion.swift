import A2ALCore
import A2ALProtocol

extension RoutingTable {
    /// Records that we heard of `contact`: directly (`verifiedAt` set — an inbound message, a
    /// reply, a confirmed STORE) or as hearsay from `learnedFrom` (`verifiedAt` nil).
    ///
    /// Hearsay touches an existing entry but never changes its endpoint (docs/deviations.md §2)
    /// nor evicts anyone; it fills free room or waits in the replacement cache. A verified
    /// contact refreshes the entry; for a full bucket it waits in the cache while the caller
    /// checks the least-recently-seen entry (deviation 1: nothing here blocks).
    public mutating func add(_ contact: Contact, verifiedAt: Tick?, learnedFrom: NodeID?, now: Tick) -> AddOutcome {
        guard let b = bucketIndex(of: contact.nodeID) else { return .rejected(.isSelf) }
        guard !withholding.contains(contact.nodeID, now: now) else { return .rejected(.withholdsRecords) }
        if let i = buckets[b].mainIndex(of: contact.nodeID) {
            return refreshMain(bucket: b, at: i, with: contact, verifiedAt: verifiedAt, now: now)
        }
        guard contact.hasConsistentIdentity else { return .rejected(.inconsistentIdentity) }
        if let ci = buckets[b].cacheIndex(of: contact.nodeID) {
            return refreshCached(bucket: b, at: ci, with: contact, verifiedAt: verifiedAt, now: now)
        }
        let subnet = subnetKey(of: contact)
        if buckets[b].entries.count < NodeConstants.k {
            guard mainAdmits(subnet, bucket: b) else { return .rejected(.subnetLimit) }
            appendToMain(RoutingEntry(contact: contact, verifiedAt: verifiedAt, learnedFrom: learnedFrom,
                                      addedAt: now, lastSeen: now, subnet: subnet),
                         bucket: b)
            return .inserted
        }
        let candidate = CachedContact(contact: contact, verifiedAt: verifiedAt, learnedFrom: learnedFrom,
                                      arrivedAt: now, subnet: subnet)
        if let refusal = appendToCache(candidate, bucket: b) { return .rejected(refusal) }
        return verifiedAt == nil ? .cached : startLRUCheckIfIdle(bucket: b, now: now)
    }

    /// The answer to a `.checkLRU` ping. Alive: the entry becomes most recently seen and
    /// verified now. Dead: it is removed and the best cached candidate takes its place. Either
    /// way the bucket may start a new check (the in-flight mark is cleared when it names `id`).
    public mutating func resolveLRUCheck(_ id: NodeID, alive: Bool, now: Tick) {
        guard let b = bucketIndex(of: id) else { return }
        if buckets[b].lruCheck?.nodeID == id { buckets[b].lruCheck = nil }
        if let i = buckets[b].mainIndex(of: id) {
            if alive {
                buckets[b].entries[i].advanceVerifiedAt(to: now)
                buckets[b].entries[i].lastSeen = now
                buckets[b].moveToMostRecent(i)
            } else {
                removeFromMain(bucket: b, at: i)
            }
        }
        if !alive { promoteCandidates(bucket: b, now: now) }
    }

    /// A successful outbound RPC to `id`: moves its verifiedAt forward to `t` if it is a main
    /// entry. The LRU order is left alone (the reference does the same).
    public mutating func updateVerifiedAt(_ id: NodeID, _ t: Tick) {
        guard let b = bucketIndex(of: id), let i = buckets[b].mainIndex(of: id) else { return }
        buckets[b].entries[i].advanceVerifiedAt(to: t)
    }

    /// Forgets `id`, from the main list or the replacement cache. Does not promote a cached
    /// candidate: maintenance probes candidates and promotes the ones that answer.
    @discardableResult
    public mutating func remove(_ id: NodeID) -> Bool {
        guard let b = bucketIndex(of: id) else { return false }
        if let i = buckets[b].mainIndex(of: id) {
            removeFromMain(bucket: b, at: i)
            return true
        }
        if let ci = buckets[b].cacheIndex(of: id) {
            buckets[b].cache.remove(at: ci)
            return true
        }
        return false
    }

    /// Keeps `id` out of the table for `NodeConstants.withholdingBan`: it acknowledged a record
    /// and then answered without it (docs/security.md, "Peers that drop records"). Removes its
    /// entry or cached candidate now; `add` refuses it until the mark runs out.
    public mutating func banForWithholding(_ id: NodeID, now: Tick) {
        withholding.mark(id, now: now)
        remove(id)
    }

    /// True while `id` is banned for withholding records.
    public func isBannedForWithholding(_ id: NodeID, now: Tick) -> Bool {
        withholding.contains(id, now: now)
    }

    /// The peers whose ban for withholding records lasts at `now`.
    public func bannedForWithholding(now: Tick) -> [NodeID] { withholding.lasting(now: now) }

    // MARK: - Steps of `add`

    private mutating func refreshMain(bucket b: Int, at i: Int, with contact: Contact, verifiedAt: Tick?,
                                      now: Tick) -> AddOutcome {
        let current = buckets[b].entries[i].contact
        let address = mergedAddress(current.address, contact)
        var endpoint = current.endpoint
        if let verifiedAt {
            if let offered = contact.endpoint, offered != current.endpoint {
                let subnet = subnetKey(of: offered)
                if subnet != buckets[b].entries[i].subnet {
                    guard mainAdmits(subnet, bucket: b) else { return .rejected(.subnetLimit) }
                    moveEntry(bucket: b, at: i, toSubnet: subnet)
                }
                endpoint = offered
            }
            buckets[b].entries[i].advanceVerifiedAt(to: verifiedAt)
        }
        if address != current.address || endpoint != current.endpoint {
            buckets[b].entries[i].contact = Contact(nodeID: current.nodeID, address: address, endpoint: endpoint)
        }
        buckets[b].entries[i].lastSeen = now
        buckets[b].moveToMostRecent(i)
        return .refreshed
    }

    private mutating func refreshCached(bucket b: Int, at ci: Int, with contact: Contact, verifiedAt: Tick?,
                                        now: Tick) -> AddOutcome {
        var candidate = buckets[b].cache[ci]
        let address = mergedAddress(candidate.contact.address, contact)
        var endpoint = candidate.contact.endpoint
        if let verifiedAt {
            if let offered = contact.endpoint { endpoint = offered }
            candidate.subnet = subnetKey(of: endpoint)
            candidate.advanceVerifiedAt(to: verifiedAt)
            candidate.arrivedAt = now
        }
        candidate.contact = Contact(nodeID: contact.nodeID, address: address, endpoint: endpoint)

        if buckets[b].entries.count < NodeConstants.k, mainAdmits(candidate.subnet, bucket: b) {
            buckets[b].cache.remove(at: ci)
            appendToMain(RoutingEntry(contact: candidate.contact, verifiedAt: candidate.verifiedAt,
                                      learnedFrom: candidate.learnedFrom, addedAt: now, lastSeen: now,
                                      subnet: candidate.subnet),
                         bucket: b)
            return .inserted
        }
        guard verifiedAt != nil else {
            buckets[b].cache[ci] = candidate
            return .cached
        }
        guard cacheAdmits(candidate.subnet, bucket: b, excluding: ci) else { return .rejected(.subnetLimit) }
        // Fresh direct contact: it now counts as the newest arrival.
        buckets[b].cache.remove(at: ci)
        buckets[b].cache.append(candidate)
        if buckets[b].entries.count < NodeConstants.k { return .cached }
        return startLRUCheckIfIdle(bucket: b, now: now)
    }

    /// The stored address, filled in from `contact` when unknown and consistent with the ID.
    /// An address is bound to the node ID by its hash, so filling it in from hearsay is safe.
    private func mergedAddress(_ stored: Address?, _ contact: Contact) -> Address? {
        guard stored == nil, contact.address != nil, contact.hasConsistentIdentity else { return stored }
        return contact.address
    }

    /// Adds a new candidate to `bucket`'s cache, making room by dropping the oldest hearsay (or,
    /// for a verified newcomer when every candidate is verified, the oldest one). Returns why
    /// the candidate was refused, or nil when it was stored.
    private mutating func appendToCache(_ candidate: CachedContact, bucket b: Int) -> RejectReason? {
        guard cacheAdmits(candidate.subnet, bucket: b) else { return .subnetLimit }
        if buckets[b].cache.count >= RoutingTable.replacementCacheSize {
            if let oldestHearsay = buckets[b].cache.firstIndex(where: { !$0.isVerified }) {
                buckets[b].cache.remove(at: oldestHearsay)
            } else if candidate.isVerified {
                buckets[b].cache.removeFirst()
            } else {
                return .replacementCacheFull
            }
        }
        buckets[b].cache.append(candidate)
        return nil
    }

    /// Asks the caller to check `bucket`'s LRU entry unless a check is already running.
    private mutating func startLRUCheckIfIdle(bucket b: Int, now: Tick) -> AddOutcome {
        if let running = buckets[b].lruCheck, now < running.startedAt + RoutingTable.lruCheckTimeout {
            return .cached
        }
        guard let lru = buckets[b].entries.first else { return .cached }
        buckets[b].lruCheck = RoutingBucket.LRUCheck(nodeID: lru.nodeID, startedAt: now)
        return .checkLRU(lru)
    }
}
