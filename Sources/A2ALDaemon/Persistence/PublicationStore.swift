import A2ALCore
import A2ALThreads

/// The publications the daemon keeps alive, in `publications.json` (mode 0600):
/// `{"version": 1, "publications": [...]}`.
///
/// Every change is written atomically before it takes effect in memory; a failed write leaves
/// the store as it was.
package final class PublicationStore: Sendable {
    static let currentVersion = 1

    package let path: String
    /// In insertion order; a replacement keeps its predecessor's position.
    private let publications: SleepingLock<[Publication]>

    /// Loads the store; a missing file is an empty store. Faults name the file and the entry.
    package init(path: String) throws(DataFileError) {
        self.path = path
        publications = SleepingLock(try Self.load(path))
    }

    /// A fresh random publication id: 16 lowercase hex characters.
    package static func newID() -> String {
        Hex.encode(SecureRandom.bytes(8))
    }

    package func list() -> [Publication] {
        publications.withLock { $0 }
    }

    package func get(_ id: String) -> Publication? {
        publications.withLock { $0.first { $0.id == id } }
    }

    /// The publication holding a slot: one agent's record of one kind (and, for custom
    /// records, one type) at one key. Lets a re-publish continue from its `lastSeq`.
    package func find(kind: PublicationKind, agent: String, key: String, recType: UInt8? = nil) -> Publication? {
        let slot = PublicationSlot(kind: kind, agent: agent, key: key, recType: kind == .custom ? recType : nil)
        return publications.withLock { $0.first { $0.slot == slot } }
    }

    /// Adds `p`, replacing the publication with the same id and any holding the same slot.
    /// Returns what it replaced.
    @discardableResult
    package func upsert(_ p: Publication) throws(DataFileError) -> [Publication] {
        if let fault = p.fault { throw DataFileError(path: path, reason: "publication \(p.id): \(fault)") }
        return try publications.withLock { (current: inout [Publication]) throws(DataFileError) -> [Publication] in
            let slot = p.slot
            let replaced = current.filter { $0.id == p.id || $0.slot == slot }
            var next = current
            if let position = next.firstIndex(where: { $0.id == p.id || $0.slot == slot }) {
                next[position] = p
                next = next.enumerated().filter { index, old in
                    index == position || !(old.id == p.id || old.slot == slot)
                }.map(\.element)
            } else {
                next.append(p)
            }
            try save(next)
            current = next
            return replaced
        }
    }

    /// Forgets a publication; nil when there was none with that id.
    @discardableResult
    package func remove(_ id: String) throws(DataFileError) -> Publication? {
        try publications.withLock { (current: inout [Publication]) throws(DataFileError) -> Publication? in
            guard let index = current.firstIndex(where: { $0.id == id }) else { return nil }
            var next = current
            let removed = next.remove(at: index)
            try save(next)
            current = next
            return removed
        }
    }

    /// Forgets every publication of `agent` (its address text), returning them.
    @discardableResult
    package func removeAll(agent: String) throws(DataFileError) -> [Publication] {
        try removeAll { $0.agent == agent }
    }

    /// Forgets every publication `matches` picks, returning them; nothing is written when none is.
    @discardableResult
    package func removeAll(where matches: (Publication) -> Bool) throws(DataFileError) -> [Publication] {
        try publications.withLock { (current: inout [Publication]) throws(DataFileError) -> [Publication] in
            let removed = current.filter(matches)
            guard !removed.isEmpty else { return [] }
            let next = current.filter { !matches($0) }
            try save(next)
            current = next
            return removed
        }
    }

    /// Records the seq just signed for a publication. False (and nothing written) when the
    /// publication is gone, e.g. withdrawn while its renewal was being signed.
    @discardableResult
    package func recordSeq(_ id: String, _ seq: UInt64) throws(DataFileError) -> Bool {
        try publications.withLock { (current: inout [Publication]) throws(DataFileError) -> Bool in
            guard let index = current.firstIndex(where: { $0.id == id }) else { return false }
            guard current[index].lastSeq != seq else { return true }
            var next = current
            next[index].lastSeq = seq
            try save(next)
            current = next
            return true
        }
    }

    private func save(_ publications: [Publication]) throws(DataFileError) {
        try JSONDataFile.write(PublicationsFile(version: Self.currentVersion, publications: publications), to: path)
    }

    private static func load(_ path: String) throws(DataFileError) -> [Publication] {
        guard let bytes = try JSONDataFile.readIfPresent(path) else { return [] }
        let file = try JSONDataFile.decode(PublicationsFile.self, from: bytes, path: path, version: currentVersion)
        var ids: [String: Int] = [:]
        var slots: [PublicationSlot: Int] = [:]
        for (index, p) in file.publications.enumerated() {
            if let fault = p.fault {
                throw DataFileError(path: path, reason: "publications[\(index)]: \(fault)")
            }
            if let first = ids[p.id] {
                throw DataFileError(path: path, reason: "publications[\(index)]: the same id as publications[\(first)]")
            }
            if let first = slots[p.slot] {
                throw DataFileError(path: path,
                                    reason: "publications[\(index)]: the same agent, kind and key as publications[\(first)]")
            }
            ids[p.id] = index
            slots[p.slot] = index
        }
        return file.publications
    }
}

struct PublicationsFile: Codable {
    var version: Int
    var publications: [Publication]
}
