import A2ALCore
import A2ALProtocol

/// Which keys hold at least one record authored by an address, so `records(by:)` visits only
/// those keys instead of scanning the whole store (docs/routing.md §8).
///
/// Most addresses appear under one key (their own sovereign key), which is held inline with no
/// allocation; a handful (topics, mailboxes they wrote to) use a short array; an address that
/// spreads over many keys switches to a set so that membership tests stay O(1).
struct AddressKeyIndex: Sendable {
    /// Keys per address kept in a plain array before switching to a set.
    static let smallKeyListLimit = 8

    enum Keys: Sendable {
        case one(NodeID)
        case few([NodeID])
        case many(Set<NodeID>)

        func forEach(_ body: (NodeID) -> Void) {
            switch self {
            case .one(let key): body(key)
            case .few(let keys): keys.forEach(body)
            case .many(let keys): keys.forEach(body)
            }
        }
    }

    private var keysByAddress: [Address: Keys] = [:]

    /// Number of addresses indexed (for tests and statistics).
    var addressCount: Int { keysByAddress.count }

    func keys(of address: Address) -> Keys? { keysByAddress[address] }

    /// Notes that `key` holds a record by `address`. Idempotent.
    mutating func add(_ address: Address, at key: NodeID) {
        switch keysByAddress[address] {
        case nil:
            keysByAddress[address] = .one(key)
        case .one(let existing)?:
            if existing != key { keysByAddress[address] = .few([existing, key]) }
        case .few(var keys)?:
            guard !keys.contains(key) else { return }
            keysByAddress[address] = nil // drop the dictionary's reference so the append is in place
            if keys.count < Self.smallKeyListLimit {
                keys.append(key)
                keysByAddress[address] = .few(keys)
            } else {
                var set = Set(keys)
                set.insert(key)
                keysByAddress[address] = .many(set)
            }
        case .many(var keys)?:
            guard !keys.contains(key) else { return }
            keysByAddress[address] = nil
            keys.insert(key)
            keysByAddress[address] = .many(keys)
        }
    }

    /// Notes that `key` no longer holds any record by `address`.
    mutating func remove(_ address: Address, at key: NodeID) {
        switch keysByAddress[address] {
        case nil:
            return
        case .one(let existing)?:
            if existing == key { keysByAddress[address] = nil }
        case .few(var keys)?:
            guard let position = keys.firstIndex(of: key) else { return }
            keysByAddress[address] = nil
            keys.remove(at: position)
            switch keys.count {
            case 0: break
            case 1: keysByAddress[address] = .one(keys[0])
            default: keysByAddress[address] = .few(keys)
            }
        case .many(var keys)?:
            guard keys.contains(key) else { return }
            keysByAddress[address] = nil
            keys.remove(key)
            if !keys.isEmpty { keysByAddress[address] = .many(keys) }
        }
    }

    /// Updates the index after `removed` left `key`, whose records are now `remaining`: an address
    /// stays indexed under the key only while one of the remaining records is still by it.
    mutating func forget(_ removed: [VerifiedRecord], at key: NodeID, remaining: [VerifiedRecord]) {
        for (position, record) in removed.enumerated() {
            let address = record.address
            // Each address once, however many of its records went.
            if removed[..<position].contains(where: { $0.address == address }) { continue }
            if remaining.contains(where: { $0.address == address }) { continue }
            remove(address, at: key)
        }
    }
}
