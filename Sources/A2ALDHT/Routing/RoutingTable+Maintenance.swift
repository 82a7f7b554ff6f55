import A2ALCore

/// What one routing-maintenance pass should do (docs/routing.md §1.9); the node caps how many of
/// each it acts on per pass, taking them in the order given.
public struct MaintenanceWork: Sendable {
    /// Replacement-cache candidates to ping: every hearsay candidate, and verified ones whose
    /// bucket has room (promoted on success with `markCachedVerified`, dropped on failure with
    /// `dropCached`). Bucket order, oldest first within a bucket.
    public var pendingToProbe: [CachedContact] = []
    /// Main entries to ping, removed if they do not answer: hearsay added before the stale
    /// cutoff, and verified entries not verified for `RoutingTable.verifiedStaleAge`.
    public var staleToProbe: [RoutingEntry] = []
    /// Buckets whose refill cooldown has elapsed, ascending (the node runs the highest first).
    public var bucketsToRefill: [Int] = []
}

extension RoutingTable {
    /// One maintenance pass: expires old cache candidates and lists probe and refill work.
    /// Nominating a bucket for refill stamps its refill time, whether or not the node runs it.
    ///
    /// Unlike the reference, empty buckets below the highest non-empty one are refilled too,
    /// and verified entries go stale (docs/deviations.md §2).
    public mutating func collectMaintenanceWork(now: Tick, freshCutoff: Tick, staleCutoff: Tick) -> MaintenanceWork {
        var work = MaintenanceWork()
        let cacheExpiry = now - RoutingTable.cacheEntryLifetime
        let verifiedStaleCutoff = now - RoutingTable.verifiedStaleAge
        let highest = highestNonEmptyBucket ?? -1
        for b in buckets.indices {
            buckets[b].cache.removeAll { $0.arrivedAt <= cacheExpiry }
            let hasRoom = buckets[b].entries.count < NodeConstants.k
            for candidate in buckets[b].cache where !candidate.isVerified || hasRoom {
                work.pendingToProbe.append(candidate)
            }
            for entry in buckets[b].entries {
                if let verifiedAt = entry.verifiedAt {
                    if verifiedAt < verifiedStaleCutoff { work.staleToProbe.append(entry) }
                } else if entry.addedAt < staleCutoff {
                    work.staleToProbe.append(entry)
                }
            }
            guard !buckets[b].entries.isEmpty || b < highest else { continue }
            if nominateForRefill(bucket: b, now: now, freshCutoff: freshCutoff) {
                work.bucketsToRefill.append(b)
            }
        }
        return work
    }

    /// Reports whether the refill of `bucket` found anything new: an improving refill resets
    /// the cooldown, a futile one lengthens it.
    public mutating func recordRefillOutcome(bucket: Int, improved: Bool) {
        guard RoutingTable.isBucketIndex(bucket) else { return }
        if improved {
            buckets[bucket].futileRefills = 0
        } else {
            buckets[bucket].futileRefills += 1
        }
    }

    /// A cached candidate answered a probe at `now`. It is promoted into the main list when
    /// there is room (returns true; also true when it already is a main entry), else it stays
    /// cached, now marked verified, and false is returned.
    @discardableResult
    public mutating func markCachedVerified(_ id: NodeID, now: Tick) -> Bool {
        guard let b = bucketIndex(of: id) else { return false }
        if let i = buckets[b].mainIndex(of: id) {
            buckets[b].entries[i].advanceVerifiedAt(to: now)
            return true
        }
        guard let ci = buckets[b].cacheIndex(of: id) else { return false }
        buckets[b].cache[ci].advanceVerifiedAt(to: now)
        let candidate = buckets[b].cache[ci]
        guard buckets[b].entries.count < NodeConstants.k, mainAdmits(candidate.subnet, bucket: b) else {
            return false
        }
        buckets[b].cache.remove(at: ci)
        appendToMain(RoutingEntry(contact: candidate.contact, verifiedAt: candidate.verifiedAt,
                                  learnedFrom: candidate.learnedFrom, addedAt: now, lastSeen: now,
                                  subnet: candidate.subnet),
                     bucket: b)
        return true
    }

    /// A cached candidate failed its probe (or has no address): forget it.
    @discardableResult
    public mutating func dropCached(_ id: NodeID) -> Bool {
        guard let b = bucketIndex(of: id), let ci = buckets[b].cacheIndex(of: id) else { return false }
        buckets[b].cache.remove(at: ci)
        return true
    }

    /// A random ID whose common prefix with `selfID` is exactly `bucket` bits: our first
    /// `bucket` bits, then bit `bucket` flipped, then random bits (cryptographic RNG).
    public static func randomID(inBucket bucket: Int, of selfID: NodeID) -> NodeID {
        precondition((0..<bucketCount).contains(bucket), "bucket index out of range")
        var bytes = selfID.bytes
        let random = SecureRandom.bytes(NodeID.byteCount)
        let byteIndex = bucket / 8
        let bitMask = UInt8(0x80) >> UInt8(bucket % 8)
        let randomTail = bitMask &- 1   // bits after `bucket` inside its byte
        bytes[byteIndex] = (bytes[byteIndex] & ~(bitMask | randomTail))
            | (~bytes[byteIndex] & bitMask)
            | (random[byteIndex] & randomTail)
        for i in (byteIndex + 1)..<NodeID.byteCount { bytes[i] = random[i] }
        return NodeID(bytes: bytes) ?? selfID   // 32 bytes by construction
    }

    private mutating func nominateForRefill(bucket b: Int, now: Tick, freshCutoff: Tick) -> Bool {
        if buckets[b].freshCount(cutoff: freshCutoff) >= RoutingTable.healthyBucketThreshold {
            buckets[b].refillWasHealthy = true
            return false
        }
        if buckets[b].refillWasHealthy {
            buckets[b].futileRefills = 0
            buckets[b].refillWasHealthy = false
        }
        let step = min(buckets[b].futileRefills, RoutingTable.refillCooldowns.count - 1)
        if let last = buckets[b].lastRefillAt, now < last + RoutingTable.refillCooldowns[step] {
            return false
        }
        buckets[b].lastRefillAt = now
        return true
    }
}
