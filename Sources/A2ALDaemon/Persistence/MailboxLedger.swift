import A2ALCore
import A2ALRPC
import A2ALThreads

/// What the daemon remembers about the notes it has shown: `mailbox.json` in the data
/// directory (docs/jsonrpc.md, "mailbox.*"). Each note an agent's `mailbox.read` has seen gets
/// a local cursor — a counter that only grows, so `since` asks for exactly the notes seen
/// after an earlier read, whatever timestamps or seqs the senders chose — and an acked flag
/// (`mailbox.ack`). Entries are dropped once their note has expired. Every change is written
/// atomically (temp file, fsync, rename) before it takes effect in memory, so a crash never
/// loses an ack whose call returned and a failed write changes nothing.
package final class MailboxLedger: Sendable {
    package static let fileName = "mailbox.json"
    static let version = 1

    struct Entry: Codable, Equatable, Sendable {
        let id: String
        let cursor: UInt64
        var acked: Bool
        let expiresAt: UInt64

        enum CodingKeys: String, CodingKey {
            case id, cursor, acked
            case expiresAt = "expires_at"
        }
    }

    struct FileContent: Codable, Sendable {
        var version: Int
        /// The last cursor handed out (never reused, even after its note expired).
        var lastCursor: UInt64
        /// Agent address text → its notes, in cursor order.
        var agents: [String: [Entry]]

        enum CodingKeys: String, CodingKey {
            case version, agents
            case lastCursor = "last_cursor"
        }
    }

    package let path: String
    private let state: SleepingLock<FileContent>

    /// Loads the ledger; a missing file is an empty one, a damaged one an error naming it.
    package init(path: String) throws(DataFileError) {
        self.path = path
        if let bytes = try JSONDataFile.readIfPresent(path) {
            state = SleepingLock(try JSONDataFile.decode(FileContent.self, from: bytes, path: path, version: Self.version))
        } else {
            state = SleepingLock(FileContent(version: Self.version, lastCursor: 0, agents: [:]))
        }
    }

    /// The stable id of a note: the first 16 bytes of SHA-256 of its signed record, in hex.
    package static func noteID(_ recordBytes: [UInt8]) -> String {
        Hex.encode(Array(SHA256.hash(recordBytes).prefix(16)))
    }

    /// Records the notes a read found (new ones get the next cursors, in the order given) and
    /// forgets the agent's expired ones; answers every note's entry and the agent's highest cursor.
    func observe(agent: String, notes: [(id: String, expiresAt: UInt64)], now: UInt64)
        throws(DataFileError) -> (entries: [String: Entry], highest: UInt64) {
        try state.withLock { (s: inout FileContent) throws(DataFileError) in
            var next = s
            var list = (next.agents[agent] ?? []).filter { $0.expiresAt >= now }
            var byID = Dictionary(list.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            for note in notes where byID[note.id] == nil {
                next.lastCursor += 1
                let e = Entry(id: note.id, cursor: next.lastCursor, acked: false, expiresAt: note.expiresAt)
                list.append(e)
                byID[note.id] = e
            }
            next.agents[agent] = list.isEmpty ? nil : list
            if next.agents[agent] != s.agents[agent] {
                try JSONDataFile.write(next, to: path)
                s = next
            }
            return (byID, list.last?.cursor ?? 0)
        }
    }

    /// Marks notes handled. Every id must be one a read of this agent has shown (else nothing
    /// changes and the error names the first unknown one, by index); answers how many were
    /// not acked before.
    func ack(agent: String, ids: [String]) throws(MailboxAckError) -> Int {
        try state.withLock { (s: inout FileContent) throws(MailboxAckError) in
            var list = s.agents[agent] ?? []
            var newly = 0
            for (i, id) in ids.enumerated() {
                guard let at = list.firstIndex(where: { $0.id == id }) else { throw .unknownNote(index: i, id: id) }
                if !list[at].acked { newly += 1 }
                list[at].acked = true
            }
            guard newly > 0 else { return 0 }
            var next = s
            next.agents[agent] = list
            do throws(DataFileError) {
                try JSONDataFile.write(next, to: path)
            } catch {
                throw .storage(error)
            }
            s = next
            return newly
        }
    }

    /// Notes of the agent seen and not expired: how many are still unacked, and how many acked.
    package func counts(agent: String, now: UInt64) -> (unread: Int, acked: Int) {
        state.withLock { s in
            let live = (s.agents[agent] ?? []).filter { $0.expiresAt >= now }
            let acked = live.filter(\.acked).count
            return (live.count - acked, acked)
        }
    }
}

enum MailboxAckError: Error {
    case unknownNote(index: Int, id: String)
    case storage(DataFileError)
}
