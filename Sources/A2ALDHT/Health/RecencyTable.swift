/// A dictionary that also remembers the order in which its entries were last touched, so the
/// least recently touched entry can be found and removed in O(1).
///
/// Peer health and seen-peer tables must stay bounded (the reference never forgets anything),
/// and "drop the stalest entry" must not cost a scan of tens of thousands of entries on every
/// insert. Entries live in one dense array, threaded by a doubly linked list of indices from
/// oldest to newest; a dictionary maps each key to its index. Removal moves the last array
/// element into the hole, so the array never has gaps and a whole-table scan touches only
/// live entries. Being a value type, it is kept inside the node's `Mutex` like the rest.
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
    // 32-bit slot indices for the same reason as the links.
    private var indexOfKey: [Key: Int32] = [:]
    private var oldestIndex = RecencyTable.none
    private var newestIndex = RecencyTable.none

    init() {}

    var count: Int { slots.count }
    var isEmpty: Bool { slots.isEmpty }

    func value(for key: Key) -> Value? {
        guard let index = slotIndex(of: key) else { return nil }
        return slots[index].value
    }

    func contains(_ key: Key) -> Bool { indexOfKey[key] != nil }

    private func slotIndex(of key: Key) -> Int? { indexOfKey[key].map { Int($0) } }

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
        indexOfKey[key] = Int32(index)
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
        indexOfKey[removed.key] = nil
        let lastIndex = slots.count - 1
        if index != lastIndex {
            // Fill the hole with the last slot and repoint everything that referred to it.
            let moved = slots[lastIndex]
            slots[index] = moved
            if moved.older != Self.none { slots[moved.older].newer = index } else { oldestIndex = index }
            if moved.newer != Self.none { slots[moved.newer].older = index } else { newestIndex = index }
            indexOfKey[moved.key] = Int32(index)
        }
        slots.removeLast()
        return (removed.key, removed.value)
    }
}
