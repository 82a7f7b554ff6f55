import A2ALCore
import A2ALProtocol

/// How the store groups records at one key. The reference stores unknown-category records
/// exactly like sovereign ones (docs/routing.md §0), so there are three groups, not four.
enum StoreCategory: Equatable {
    case sovereign
    case topic
    case mailbox

    init(_ recType: UInt8) {
        switch RecordCategory(recType: recType) {
        case .sovereign, .unknown: self = .sovereign
        case .topic: self = .topic
        case .mailbox: self = .mailbox
        }
    }

    /// Records of this group a key may hold.
    var capPerKey: Int {
        switch self {
        case .sovereign: return StoreLimits.maxSovereignPerKey
        case .topic: return StoreLimits.maxTopicPerKey
        case .mailbox: return StoreLimits.maxMailboxPerKey
        }
    }

    /// True when `a` and `b` (both of this group) occupy the same slot, so only the newer may stay:
    /// sovereign by (address, type), topic by signing key, mailbox by (signing key, payload, type).
    func sameSlot(_ a: SignedRecord, _ b: SignedRecord) -> Bool {
        switch self {
        case .sovereign:
            return a.address == b.address && a.recType == b.recType
        case .topic:
            return a.pubkey == b.pubkey
        case .mailbox:
            // A nil payload and an empty one compare equal, as Go's bytes.Equal does.
            return a.recType == b.recType && a.pubkey == b.pubkey && (a.payload ?? []) == (b.payload ?? [])
        }
    }
}
