import A2ALCore
import A2ALProtocol

/// The records already announced at one watched key, by digest, so each is announced once
/// however often polls and pushes bring it back. Bounded (`WatchLimits.rememberedPerKey`):
/// when full, expired records are forgotten first (they no longer come back), then the
/// oldest — which, should it still be out there, is announced once more rather than lost.
struct SeenRecords: Sendable {
    let capacity: Int
    private var expiresAt: [NodeID: UInt64] = [:]
    /// Insertion order; entries before `head` were forgotten.
    private var order: [NodeID] = []
    private var head = 0

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// SHA-256 of the record's canonical encoding: two records are the same announcement only
    /// when every signed byte is the same (a re-signed record with a higher seq is new).
    static func digest(_ record: SignedRecord) -> NodeID {
        NodeID(bytes: SHA256.hash(record.encoded)) ?? .zero
    }

    var count: Int { expiresAt.count }

    func contains(_ digest: NodeID) -> Bool { expiresAt[digest] != nil }

    /// Remembers `digest`; false when it was already known.
    mutating func insert(_ digest: NodeID, expiresAt expiry: UInt64, now: UInt64) -> Bool {
        guard expiresAt[digest] == nil else { return false }
        if expiresAt.count >= capacity { makeRoom(now: now) }
        expiresAt[digest] = expiry
        order.append(digest)
        return true
    }

    /// Called when full: a scan of at most `capacity` entries, only while the key is busy.
    private mutating func makeRoom(now: UInt64) {
        expiresAt = expiresAt.filter { $0.value > now }
        while expiresAt.count >= capacity, head < order.count {
            expiresAt[order[head]] = nil
            head += 1
        }
        // Keep `order` from growing past a small multiple of what is remembered: forgotten
        // entries at its front go, and so, now and then, do expired ones further in.
        if head > order.count / 2 {
            order.removeFirst(head)
            head = 0
        }
        if order.count > 2 * capacity {
            order = order[head...].filter { expiresAt[$0] != nil }
            head = 0
        }
    }
}
