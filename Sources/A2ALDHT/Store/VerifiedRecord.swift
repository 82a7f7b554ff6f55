import A2ALCore
import A2ALProtocol

/// A record that passed every check once — signature, payload, time window (docs/protocol.md,
/// "Time rules"), key binding and authority at `key` — with the payload it decoded on the way.
/// Only `RecordVerifier.verify` makes one, so whoever holds one need not check it again: the
/// store, lookups, resolve, FIND_VALUE answers and the daemon's rendering take it as it is and
/// at most re-read its time window against a later `now` (no crypto, no decoding).
///
/// The record's own fields read through it (`verified.seq`, `verified.address`, …).
@dynamicMemberLookup
public struct VerifiedRecord: Hashable, Sendable {
    public let record: SignedRecord
    /// The DHT key it was verified for: binding and authority hold there.
    public let key: NodeID
    /// The payload as verification decoded it.
    public let decoded: RecordPayload
    /// The second from which the record's delegation no longer authorises it (`.max` when
    /// self-signed or when no authority policy applies).
    let authorisedUntil: UInt64

    fileprivate init(record: SignedRecord, key: NodeID, decoded: RecordPayload, authorisedUntil: UInt64) {
        self.record = record
        self.key = key
        self.decoded = decoded
        self.authorisedUntil = authorisedUntil
    }

    @inlinable
    public subscript<T>(dynamicMember field: KeyPath<SignedRecord, T>) -> T { record[keyPath: field] }

    /// What a fresh verification at `now` would say, from the time fields alone: inside the
    /// record's window and still authorised by its delegation.
    public func isValid(now: UInt64) -> Bool { record.isLiveInStore(now: now) && now < authorisedUntil }

    func isNewer(than other: VerifiedRecord) -> Bool { record.isNewer(than: other.record) }
    func isLiveInStore(now: UInt64) -> Bool { record.isLiveInStore(now: now) }
    func isExpired(now: UInt64) -> Bool { record.isExpired(now: now) }
}

/// The one way to a `VerifiedRecord`. Pure and `Sendable`: it reads no node state and takes no
/// lock, so inbound STOREs and FIND_VALUE replies are verified before the node's lock is taken,
/// on whichever thread holds the datagram.
public struct RecordVerifier: Sendable {
    /// The authority policy (nil accepts any signer; tests).
    public let authority: StoreAuthority?

    public init(authority: StoreAuthority?) { self.authority = authority }

    /// Verifies `record` for `key` (the all-zero key means NodeID(record.address)) at `now`:
    /// signature, payload and time, then key binding (sovereign and unknown categories live at
    /// NodeID(address)), then the authority policy, in the order the reference checks them.
    public func verify(_ record: SignedRecord, at key: NodeID, now: UInt64) throws(StoreError) -> VerifiedRecord {
        let decoded: RecordPayload
        do {
            decoded = try record.verify(now: now)
        } catch {
            throw .invalid(error)
        }
        let ownKey = record.address.nodeID
        let storeKey = key.isZero ? ownKey : key
        if record.category.keyMustBeAddressNodeID, storeKey != ownKey {
            throw .keyMismatch(expected: ownKey, got: storeKey)
        }
        guard let authority else {
            return VerifiedRecord(record: record, key: storeKey, decoded: decoded, authorisedUntil: .max)
        }
        if let reason = authority(storeKey, record, now) { throw .unauthorized(reason) }
        return VerifiedRecord(record: record, key: storeKey, decoded: decoded,
                              authorisedUntil: Self.delegationEnd(of: record))
    }

    /// The second from which the record's delegation is expired (`DelegationProof.isExpired`).
    private static func delegationEnd(of record: SignedRecord) -> UInt64 {
        guard !record.delegation.isEmpty, let proof = try? DelegationProof(encoded: record.delegation),
              proof.expiresAt != 0 else { return .max }
        let (end, overflow) = proof.expiresAt.addingReportingOverflow(DelegationProof.expiryGrace)
        return overflow ? .max : end
    }
}
