import A2ALCore
import A2ALProtocol

extension DHTNode {
    /// Stores a verified record (the path of an inbound STORE and of our own publishing): one
    /// lock, no checks but its time window. `source` is the network an inbound STORE came from
    /// (its quota applies); nil for ours.
    @discardableResult
    func putLocally(_ record: VerifiedRecord, source: SubnetKey? = nil) throws(StoreError) -> NodeID {
        let unix = clock.unixSeconds()
        let stored = try state.withLock { s throws(StoreError) -> NodeID in
            try s.store.put(record, now: unix, source: source)
        }
        events.recordStored?(record)
        return stored
    }

    /// Verifies a record and puts it in the local store without replicating it. The zero key
    /// means NodeID(record.address). Returns the record as stored.
    @discardableResult
    public func localPut(_ record: SignedRecord, at key: NodeID = .zero) throws(DHTError) -> VerifiedRecord {
        do {
            let verified = try verifier.verify(record, at: key, now: clock.unixSeconds())
            try putLocally(verified)
            return verified
        } catch {
            throw .store(error)
        }
    }

    /// Valid records at `key` (recType 0 = all types), oldest first.
    public func localGet(_ key: NodeID, recType: UInt8 = 0) -> [VerifiedRecord] {
        let unix = clock.unixSeconds()
        return state.withLock { $0.store.getAll(key, recType: recType, now: unix) }
    }

    /// Valid records authored by `address`, wherever they are stored.
    public func localGet(byAddress address: Address, recType: UInt8 = 0) -> [VerifiedRecord] {
        let unix = clock.unixSeconds()
        return state.withLock { $0.store.records(by: address, recType: recType, now: unix).map(\.record) }
    }

    /// Deletes records at `key` of `recType` (0 = all).
    public func localInvalidate(_ key: NodeID, recType: UInt8 = 0) {
        state.withLock { $0.store.invalidate(key, recType: recType) }
    }

    /// Number of keys in the local store.
    public var storeKeyCount: Int { state.withLock { $0.store.keyCount } }

    /// Changes the store's key limit at run time (≤ 0 means the default).
    public func setMaxStoreKeys(_ max: Int) { state.withLock { $0.store.maxKeys = max } }

    /// The store's effective key limit (the default when it was set to 0 or less).
    public var maxStoreKeys: Int { state.withLock { $0.store.maxKeys } }

    /// The store's byte limits, changed at run time (takes effect at the next put).
    public var storeBudget: StoreBudget {
        get { state.withLock { $0.store.budget } }
        set { state.withLock { $0.store.budget = newValue } }
    }

    /// Pins the keys of our own publications so the byte budget never evicts them; called when
    /// replica sets come and go (and by every maintenance pass, which catches sets that ended).
    func syncPinnedKeys() {
        let keys = replication.withLock { Set($0.keys.map(\.storeKey)) }
        state.withLock { $0.store.pinned = keys }
    }

    /// Removes expired records now; returns how many.
    @discardableResult
    public func sweepExpiredRecords() -> Int {
        let unix = clock.unixSeconds()
        return state.withLock { $0.store.sweepExpired(now: unix) }
    }
}
