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
    /// The newest record per dedupe key, as a lookup merges what its answers carried.
    static func newest(_ records: [VerifiedRecord]) -> [VerifiedRecord] {
        var best: [RecordDedupeKey: VerifiedRecord] = [:]
        for r in records {
            let k = RecordDedupeKey(r.record)
            if let old = best[k], !r.isNewer(than: old) { continue }
            best[k] = r
        }
        return Array(best.values)
    }
}
