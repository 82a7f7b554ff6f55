@testable import A2ALDaemon
import Testing

/// `mailbox.json` (docs/jsonrpc.md, "mailbox.*" and "Configuration and data directory"):
/// cursors only grow, acks persist, expired notes are forgotten, bad input changes nothing.
@Suite struct MailboxLedgerTests {
    @Test func cursorsGrowAndSurviveAReload() throws {
        let dir = try StoreTestDirectory()
        let path = dir.file(MailboxLedger.fileName)
        let ledger = try MailboxLedger(path: path)
        let first = try ledger.observe(agent: "a", notes: [("n1", 100), ("n2", 100)], now: 10)
        #expect(first.entries["n1"]?.cursor == 1 && first.entries["n2"]?.cursor == 2 && first.highest == 2)
        // Seen again: same cursors; a new note gets the next one, also for another agent.
        let again = try ledger.observe(agent: "a", notes: [("n2", 100), ("n3", 100)], now: 10)
        #expect(again.entries["n2"]?.cursor == 2 && again.entries["n3"]?.cursor == 3 && again.highest == 3)
        #expect(try ledger.observe(agent: "b", notes: [("m1", 100)], now: 10).entries["m1"]?.cursor == 4)
        #expect(try ledger.ack(agent: "a", ids: ["n1"]) == 1)

        let reloaded = try MailboxLedger(path: path)
        #expect(reloaded.counts(agent: "a", now: 10) == (unread: 2, acked: 1))
        let after = try reloaded.observe(agent: "a", notes: [("n4", 100)], now: 10)
        #expect(after.entries["n4"]?.cursor == 5 && after.entries["n1"]?.acked == true)
    }

    @Test func expiredNotesAreForgottenButTheirCursorsNeverReused() throws {
        let dir = try StoreTestDirectory()
        let ledger = try MailboxLedger(path: dir.file(MailboxLedger.fileName))
        _ = try ledger.observe(agent: "a", notes: [("old", 50), ("new", 500)], now: 10)
        #expect(ledger.counts(agent: "a", now: 100) == (unread: 1, acked: 0))
        let later = try ledger.observe(agent: "a", notes: [("newer", 500)], now: 100)
        #expect(later.entries["old"] == nil && later.entries["newer"]?.cursor == 3)
        #expect(throws: MailboxAckError.self) { try ledger.ack(agent: "a", ids: ["old"]) }
    }

    @Test func anUnknownIdChangesNothing() throws {
        let dir = try StoreTestDirectory()
        let path = dir.file(MailboxLedger.fileName)
        let ledger = try MailboxLedger(path: path)
        _ = try ledger.observe(agent: "a", notes: [("n1", 100), ("n2", 100)], now: 10)
        let before = try dir.read(MailboxLedger.fileName)
        do {
            _ = try ledger.ack(agent: "a", ids: ["n1", "nope"])
            Issue.record("acking an unknown id succeeded")
        } catch {
            guard case .unknownNote(let index, let id) = error else { Issue.record("\(error)"); return }
            #expect(index == 1 && id == "nope")
        }
        #expect(ledger.counts(agent: "a", now: 10) == (unread: 2, acked: 0))
        #expect(try dir.read(MailboxLedger.fileName) == before)
    }

    @Test func aDamagedFileIsAnErrorNamingIt() throws {
        let dir = try StoreTestDirectory()
        try dir.write(#"{"version": 1, "last_cursor": "x", "agents": {}}"#, to: MailboxLedger.fileName)
        #expect(throws: DataFileError.self) { try MailboxLedger(path: dir.file(MailboxLedger.fileName)) }
        do {
            _ = try MailboxLedger(path: dir.file(MailboxLedger.fileName))
        } catch {
            #expect(error.description.contains(MailboxLedger.fileName) && error.description.contains("last_cursor"), "\(error)")
        }
        try dir.write(#"{"version": 2, "last_cursor": 0, "agents": {}}"#, to: MailboxLedger.fileName)
        #expect(throws: DataFileError.self) { try MailboxLedger(path: dir.file(MailboxLedger.fileName)) }
    }
}
