import A2ALCore
import A2ALProtocol

/// The store's keys with their record lists, threaded on an intrusive doubly-linked list in
/// access order, so finding the least-recently-accessed key is O(1) rather than a scan of every
/// key (docs/routing.md §8). Entries live in a slab of reusable slots: links are array
/// indices, and touching a key is two hash-free index updates.
struct KeyAccessTable: Sendable {
    /// Marks "no slot" in a link.
    static let noSlot = -1

    struct Entry: Sendable {
        var key: NodeID
        var records: [VerifiedRecord]
        /// Neighbour with the earlier access, or `noSlot` at the least-recent end.
        var older: Int
        /// Neighbour with the later access, or `noSlot` at the most-recent end.
        var newer: Int
        /// Position in the global access sequence; strictly increasing, so it orders keys
        /// deterministically even when accesses fall within the same second.
        var accessSequence: UInt64
    }

    private var entries: [Entry] = []
    private var freeSlots: [Int] = []
    private var slotByKey: [NodeID: Int] = [:]
    /// The least-recently-accessed key's slot (the eviction candidate), or `noSlot`.
    private(set) var leastRecentSlot = KeyAccessTable.noSlot
    private var mostRecentSlot = KeyAccessTable.noSlot
    private var accessCounter: UInt64 = 0

    var count: Int { slotByKey.count }

    func slot(of key: NodeID) -> Int? { slotByKey[key] }

    func key(at slot: Int) -> NodeID { entries[slot].key }

    func records(at slot: Int) -> [VerifiedRecord] { entries[slot].records }

    func accessSequence(at slot: Int) -> UInt64 { entries[slot].accessSequence }

    /// The slot accessed after `slot`, or `noSlot`.
    func newerSlot(than slot: Int) -> Int { entries[slot].newer }

    mutating func setRecords(at slot: Int, _ records: [VerifiedRecord]) {
        entries[slot].records = records
    }

    /// Adds a key as the most recently accessed one. The key must not be present.
    mutating func insert(_ key: NodeID, records: [VerifiedRecord]) -> Int {
        let entry = Entry(key: key, records: records, older: Self.noSlot, newer: Self.noSlot,
                          accessSequence: nextAccess())
        let slot: Int
        if let reused = freeSlots.popLast() {
            slot = reused
            entries[slot] = entry
        } else {
            slot = entries.count
            entries.append(entry)
        }
        slotByKey[key] = slot
        linkAsMostRecent(slot)
        return slot
    }

    /// Records an access: the key becomes the most recently accessed.
    mutating func touch(_ slot: Int) {
        entries[slot].accessSequence = nextAccess()
        guard slot != mostRecentSlot else { return }
        unlink(slot)
        linkAsMostRecent(slot)
    }

    /// Removes a key and returns the records it held.
    @discardableResult
    mutating func remove(_ slot: Int) -> [VerifiedRecord] {
        unlink(slot)
        let entry = entries[slot]
        slotByKey[entry.key] = nil
        entries[slot].records = []
        freeSlots.append(slot)
        return entry.records
    }

    /// Slots from least to most recently accessed.
    var slotsInAccessOrder: AccessOrder { AccessOrder(table: self) }

    struct AccessOrder: Sequence, IteratorProtocol {
        let table: KeyAccessTable
        var cursor: Int

        init(table: KeyAccessTable) {
            self.table = table
            cursor = table.leastRecentSlot
        }

        mutating func next() -> Int? {
            guard cursor != KeyAccessTable.noSlot else { return nil }
            let current = cursor
            cursor = table.entries[current].newer
            return current
        }
    }

    // MARK: Links

    private mutating func nextAccess() -> UInt64 {
        accessCounter &+= 1
        return accessCounter
    }

    private mutating func unlink(_ slot: Int) {
        let older = entries[slot].older, newer = entries[slot].newer
        if older != Self.noSlot { entries[older].newer = newer } else { leastRecentSlot = newer }
        if newer != Self.noSlot { entries[newer].older = older } else { mostRecentSlot = older }
        entries[slot].older = Self.noSlot
        entries[slot].newer = Self.noSlot
    }

    private mutating func linkAsMostRecent(_ slot: Int) {
        entries[slot].older = mostRecentSlot
        entries[slot].newer = Self.noSlot
        if mostRecentSlot != Self.noSlot { entries[mostRecentSlot].newer = slot } else { leastRecentSlot = slot }
        mostRecentSlot = slot
    }
}
