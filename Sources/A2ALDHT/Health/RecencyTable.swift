/// A dictionary that also remembers the order in which its entries were last touched, so the
/// least recently touched entry can be found and removed in O(1).
///
/// Peer health and seen-peer tables must stay bounded (the reference never forgets anything),
/// and "drop the stalest entry" must not cost a scan of tens of thousands of entries on every
/// insert. Entries live in one dense array, threaded by a doubly linked list of indices from
/// oldest to newest; a dictionary maps each key to its index. Removal moves the last array
/// element into the hole, so the array never has gaps and a whole-table scan touches only
/// live entries. Being a value type, it is kept inside the node's `SleepingLock` like the rest.
struct RecencyTable<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Slot: Sendable {
        var key: Key
        var value: Value
        // Links as 32-bit indices: tables hold at most a few hundred thousand entries, and
        // every peer record saves 8 bytes (docs/routing.md §8.1).
        private var olderLink: Int32
        private var newerLink: Int32

        init(key: Key, value: Value, older: Int, newer: Int) {
            self.key = key
            self.value = value
            olderLink = Int32(older)
            newerLink = Int32(newer)
        }

        /// Index of the next-older slot, or `RecencyTable.none`.
        var older: Int {
            get { Int(olderLink) }
            set { olderLink = Int32(newValue) }
        }

        /// Index of the next-newer slot, or `RecencyTable.none`.
        var newer: Int {
            get { Int(newerLink) }
            set { newerLink = Int32(newValue) }
        }
    }

    /// Marks the end of the recency list.
    private static var none: Int { -1 }

    private var slots: [Slot] = []
    /// Key → slot, open addressing with linear probing: each bucket holds a slot index or
    /// `RecencyTable.emptyBucket`, and the key itself is read from its slot. A `Dictionary`
    /// would store every 32-byte key a second time; this costs 8 bytes per entry at most
    /// (docs/routing.md §8.1). Buckets are found from the key's seeded `hashValue`.
    private var buckets: [Int32] = []
    private var oldestIndex = RecencyTable.none
    private var newestIndex = RecencyTable.none

    init() {}

    var count: Int { slots.count }
    var isEmpty: Bool { slots.isEmpty }

    func value(for key: Key) -> Value? {
        guard let index = slotIndex(of: key) else { return nil }
        return slots[index].value
    }

    func contains(_ key: Key) -> Bool { bucket(of: key) != nil }

    private func slotIndex(of key: Key) -> Int? { bucket(of: key).map { Int(buckets[$0]) } }

    /// The least recently touched entry.
    var oldest: (key: Key, value: Value)? {
        guard oldestIndex != Self.none else { return nil }
        let slot = slots[oldestIndex]
        return (slot.key, slot.value)
    }

    /// Inserts or replaces the value for `key` and makes it the most recently touched.
    mutating func setNewest(_ value: Value, for key: Key) {
        if let index = slotIndex(of: key) {
            slots[index].value = value
            moveToNewest(index)
            return
        }
        let index = slots.count
        slots.append(Slot(key: key, value: value, older: newestIndex, newer: Self.none))
        linkNewestEnd(index)
        indexSlot(index)
    }

    /// Edits the value for `key` in place (no copy of the value), optionally marking it as the
    /// most recently touched. Returns nil, without calling `body`, when `key` is absent.
    @discardableResult
    mutating func modify<R>(_ key: Key, touch: Bool, _ body: (inout Value) -> R) -> R? {
        guard let index = slotIndex(of: key) else { return nil }
        let result = body(&slots[index].value)
        if touch { moveToNewest(index) }
        return result
    }

    @discardableResult
    mutating func removeValue(for key: Key) -> Value? {
        guard let index = slotIndex(of: key) else { return nil }
        return remove(at: index).value
    }

    /// Removes and returns the least recently touched entry.
    @discardableResult
    mutating func removeOldest() -> (key: Key, value: Value)? {
        guard oldestIndex != Self.none else { return nil }
        return remove(at: oldestIndex)
    }

    /// Removes entries from the oldest end for as long as `shouldRemove` says so; stops at the
    /// first entry it keeps. Returns how many were removed.
    @discardableResult
    mutating func removeOldest(while shouldRemove: (Key, Value) -> Bool) -> Int {
        var removed = 0
        while oldestIndex != Self.none {
            let slot = slots[oldestIndex]
            guard shouldRemove(slot.key, slot.value) else { break }
            remove(at: oldestIndex)
            removed += 1
        }
        return removed
    }

    /// Visits every entry once (in storage order, not recency order) and removes those for
    /// which `shouldRemove` returns true. Returns how many were removed.
    @discardableResult
    mutating func removeAll(where shouldRemove: (Key, Value) -> Bool) -> Int {
        var removed = 0
        var index = 0
        while index < slots.count {
            if shouldRemove(slots[index].key, slots[index].value) {
                // The last slot moves into `index`; examine that one next.
                remove(at: index)
                removed += 1
            } else {
                index += 1
            }
        }
        return removed
    }

    /// Visits every entry once, in storage order.
    func forEach(_ body: (Key, Value) -> Void) {
        for slot in slots { body(slot.key, slot.value) }
    }

    // MARK: - List plumbing

    private mutating func moveToNewest(_ index: Int) {
        guard index != newestIndex else { return }
        unlink(index)
        slots[index].older = newestIndex
        slots[index].newer = Self.none
        linkNewestEnd(index)
    }

    /// Hooks `index` (whose `older` already points at the current newest) onto the newest end.
    private mutating func linkNewestEnd(_ index: Int) {
        if newestIndex != Self.none { slots[newestIndex].newer = index } else { oldestIndex = index }
        newestIndex = index
    }

    private mutating func unlink(_ index: Int) {
        let older = slots[index].older
        let newer = slots[index].newer
        if older != Self.none { slots[older].newer = newer } else { oldestIndex = newer }
        if newer != Self.none { slots[newer].older = older } else { newestIndex = older }
    }

    @discardableResult
    private mutating func remove(at index: Int) -> (key: Key, value: Value) {
        unlink(index)
        let removed = slots[index]
        if let b = bucket(of: removed.key) { clearBucket(b) }
        let lastIndex = slots.count - 1
        if index != lastIndex {
            // Fill the hole with the last slot and repoint everything that referred to it.
            let moved = slots[lastIndex]
            slots[index] = moved
            if moved.older != Self.none { slots[moved.older].newer = index } else { oldestIndex = index }
            if moved.newer != Self.none { slots[moved.newer].older = index } else { newestIndex = index }
            if let b = bucket(of: moved.key) { buckets[b] = Int32(index) }
        }
        slots.removeLast()
        return (removed.key, removed.value)
    }

    // MARK: - Hash index plumbing

    private static var emptyBucket: Int32 { -1 }

    private func home(of key: Key) -> Int { key.hashValue & (buckets.count - 1) }

    /// The bucket pointing at `key`'s slot.
    private func bucket(of key: Key) -> Int? {
        guard !buckets.isEmpty else { return nil }
        var b = home(of: key)
        while buckets[b] != Self.emptyBucket {
            if slots[Int(buckets[b])].key == key { return b }
            b = (b + 1) & (buckets.count - 1)
        }
        return nil
    }

    /// Indexes the slot at `index` (its key not yet indexed), growing the buckets to keep them
    /// at most half full so probes stay short.
    private mutating func indexSlot(_ index: Int) {
        if slots.count * 2 > buckets.count {
            var size = max(8, buckets.count)
            while slots.count * 2 > size { size *= 2 }
            buckets = [Int32](repeating: Self.emptyBucket, count: size)
            for i in slots.indices { place(i) }
        } else {
            place(index)
        }
    }

    private mutating func place(_ index: Int) {
        var b = home(of: slots[index].key)
        while buckets[b] != Self.emptyBucket { b = (b + 1) & (buckets.count - 1) }
        buckets[b] = Int32(index)
    }

    /// Empties bucket `b` and shifts later members of its probe run back, so every key stays
    /// reachable from its home bucket without tombstones.
    private mutating func clearBucket(_ b: Int) {
        let mask = buckets.count - 1
        var hole = b
        buckets[hole] = Self.emptyBucket
        var next = (hole + 1) & mask
        while buckets[next] != Self.emptyBucket {
            let homeOfNext = home(of: slots[Int(buckets[next])].key)
            // `next` may fill the hole when its home is not cyclically within (hole, next].
            if (next - homeOfNext) & mask >= (next - hole) & mask {
                buckets[hole] = buckets[next]
                buckets[next] = Self.emptyBucket
                hole = next
            }
            next = (next + 1) & mask
        }
    }
}
