import A2ALCore
import A2ALProtocol

/// What makes two records "the same" when merging lookup results (docs/routing.md §3.9):
/// topic records by signer; mailbox records by signer and payload; everything else by address
/// and type.
enum RecordDedupeKey: Hashable {
    case topic(pubkey: [UInt8])
    case mailbox(pubkey: [UInt8], payload: [UInt8])
    case sovereign(address: Address, recType: UInt8)

    init(_ record: SignedRecord) {
        switch record.category {
        case .topic: self = .topic(pubkey: record.pubkey)
        case .mailbox: self = .mailbox(pubkey: record.pubkey, payload: record.payload ?? [])
        case .sovereign, .unknown: self = .sovereign(address: record.address, recType: record.recType)
        }
    }
}

extension RecordDedupeKey {
    /// Keeps `record` in `best` unless it holds a record of the same key that is as new.
    static func keepNewest(_ record: VerifiedRecord, in best: inout [RecordDedupeKey: VerifiedRecord]) {
        let k = RecordDedupeKey(record.record)
        if let old = best[k], !record.isNewer(than: old) { return }
        best[k] = record
    }

    /// The newest record per dedupe key, as a lookup merges what its answers carried.
    static func newest(_ records: [VerifiedRecord]) -> [VerifiedRecord] {
        var best: [RecordDedupeKey: VerifiedRecord] = [:]
        for r in records { keepNewest(r, in: &best) }
        return Array(best.values)
    }
}
