import A2ALCore
import Foundation
import Glibc
import Testing
@testable import A2ALDaemon

/// `agents.journal` beside `agents.json`: what a crash at any moment leaves, how damage is
/// reported, and that snapshots are amortised (docs/jsonrpc.md, "Configuration and data
/// directory").
@Suite struct AgentJournalTests {
    /// A store whose snapshot holds `a` and whose journal holds the adds of `b` then `c`.
    private func threeAgents(_ temp: StoreTestDirectory) throws -> (AgentStore, [AgentInfo]) {
        let store = try AgentStore(path: temp.file("agents.json"))
        let a = try store.create(label: "a", now: 1)
        let b = try store.create(label: "b", now: 2)
        let c = try store.create(label: "c", now: 3)
        return (store, [a, b, c])
    }

    private func lines(_ bytes: [UInt8]) -> [[UInt8]] {
        bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast().map(Array.init)
    }

    @Test func eachChangeIsOneLineAfterTheSnapshot() throws {
        let temp = try StoreTestDirectory()
        let (_, agents) = try threeAgents(temp)
        let snapshot = try #require(try temp.json("agents.json")["agents"] as? [[String: Any]])
        #expect(snapshot.map { $0["label"] as? String } == ["a"])
        let journal = lines(Array(try temp.read("agents.journal").utf8))
        #expect(journal.count == 2)
        let last = try #require(try JSONSerialization.jsonObject(with: Data(journal[1])) as? [String: Any])
        #expect(last["op"] as? String == "add")
        #expect(last["address"] as? String == agents[2].address.text)
        #expect(storeTestMode(temp.file("agents.journal")) == 0o600)
    }

    /// A kill -9 or power cut mid-append leaves any prefix of the last line: every one loads as
    /// the state before that change, is reported, and is cut away before the next append.
    @Test func aTornLastLineIsIgnoredReportedAndCutBeforeTheNextAppend() throws {
        let temp = try StoreTestDirectory()
        let (_, agents) = try threeAgents(temp)
        let whole = Array(try temp.read("agents.journal").utf8)
        let lastStart = try #require(whole.dropLast().lastIndex(of: UInt8(ascii: "\n"))) + 1
        var tails = (lastStart..<whole.count).map { Array(whole[..<$0]) }
        tails.append(Array(whole[..<lastStart]) + [UInt8](repeating: 0, count: 40))  // zero-filled, as ext4 may leave
        for torn in tails {
            try Data(torn).write(to: URL(fileURLWithPath: temp.file("agents.journal")))
            let log = CapturedLog()
            let reloaded = try AgentStore(path: temp.file("agents.json"), logger: log.logger)
            #expect(reloaded.list() == Array(agents.prefix(2)), "cut at \(torn.count) of \(whole.count)")
            let reported = torn.count > lastStart
            #expect(log.text.contains { $0.contains("torn") && $0.contains(temp.file("agents.journal")) } == reported,
                    "cut at \(torn.count): \(log.text)")
        }
        // The next change goes where the torn line was, so nothing is left in front of it.
        let log = CapturedLog()
        let store = try AgentStore(path: temp.file("agents.json"), logger: log.logger)
        let d = try store.create(label: "d", now: 4)
        let again = CapturedLog()
        #expect(try AgentStore(path: temp.file("agents.json"), logger: again.logger).list() == [agents[0], agents[1], d])
        #expect(again.text.isEmpty, "\(again.text)")
    }

    @Test func damageBeforeTheEndIsAnErrorNamingTheFileAndLine() throws {
        let temp = try StoreTestDirectory()
        _ = try threeAgents(temp)
        let path = temp.file("agents.journal")
        let good = lines(Array(try temp.read("agents.journal").utf8)).map { String(decoding: $0, as: UTF8.self) }
        let stranger = Ed25519.KeyPair.generate()
        let cases: [(String, String)] = [
            ("{\"op\":\"add\",\"addr", "line 1, column 13: unterminated string"),
            (#"{"op":"rename","address":"x"}"#, "line 1: op"),
            (#"{"op":"add","address":"\#(stranger.address.text)"}"#, "line 1: an \"add\" needs private_key, label and created_at"),
            (#"{"op":"add","address":"\#(stranger.address.text)","private_key":"\#(Hex.encode(AgentStoreTests.seed))","label":"","created_at":1}"#,
             "line 1: private_key does not belong to address \(stranger.address.text)"),
            (#"{"op":"remove","address":"nope"}"#, "line 1: address \"nope\" is not a valid address"),
            ("", "line 1, column 1: empty input; expected a JSON value"),
            (#"{"op":"remove","address":"x",}"#, "line 1, column 29: trailing comma"),
        ]
        for (bad, reason) in cases {
            try temp.write(([bad] + good.dropFirst()).joined(separator: "\n") + "\n", to: "agents.journal")
            let error = #expect(throws: DataFileError.self) { try AgentStore(path: temp.file("agents.json")) }
            #expect(error?.path == path)
            #expect(error?.reason.hasPrefix(reason) == true, "\(String(describing: error)) for \(bad)")
        }
    }

    /// The snapshot is written, then the journal emptied: a crash in between leaves lines the
    /// snapshot already holds, and replaying them changes nothing.
    @Test func aCrashBetweenSnapshotAndEmptyingTheJournalChangesNothing() throws {
        let temp = try StoreTestDirectory()
        let (store, agents) = try threeAgents(temp)
        #expect(try store.remove(agents[0].address))
        _ = try store.importSeed(AgentStoreTests.seed, label: "first", now: 5)
        let imported = try Ed25519.KeyPair(seed: AgentStoreTests.seed).address
        #expect(try store.remove(imported))
        _ = try store.importSeed(AgentStoreTests.seed, label: "second", now: 6)
        let journal = try temp.read("agents.journal")
        let expected = store.list()
        #expect(expected.map(\.label) == ["b", "c", "second"])

        try store.writeSnapshot()
        #expect(try temp.read("agents.journal").isEmpty)
        try temp.write(journal, to: "agents.journal")
        #expect(try AgentStore(path: temp.file("agents.json")).list() == expected)
    }

    /// A journal deleted (or its directory replaced) while the daemon runs must not swallow
    /// changes: the store notices, snapshots everything it holds and starts a new journal.
    @Test func aDeletedJournalIsReplacedNotWrittenIntoTheVoid() throws {
        let temp = try StoreTestDirectory()
        let (store, agents) = try threeAgents(temp)
        try FileManager.default.removeItem(atPath: temp.file("agents.journal"))
        let d = try store.create(label: "d", now: 4)
        #expect(try AgentStore(path: temp.file("agents.json")).list() == agents + [d])
    }

    /// With the whole directory gone changes are refused; once it is back, the first change
    /// writes everything held (not just itself) before a new journal starts.
    @Test func aRemovedDirectoryRefusesChangesAndARestoredOneGetsEverything() throws {
        let temp = try StoreTestDirectory()
        let sub = temp.file("sub")
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: false)
        let store = try AgentStore(path: sub + "/agents.json")
        let kept = try store.create(label: "kept", now: 1)
        let second = try store.create(label: "second", now: 2)
        try FileManager.default.removeItem(atPath: sub)
        #expect(throws: AgentStoreError.self) { try store.create(label: "refused", now: 3) }
        #expect(store.list() == [kept, second])

        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: false)
        let third = try store.create(label: "third", now: 4)
        #expect(try AgentStore(path: sub + "/agents.json").list() == [kept, second, third])
    }

    @Test func aJournalOthersCanReadIsRefused() throws {
        let temp = try StoreTestDirectory()
        _ = try threeAgents(temp)
        chmod(temp.file("agents.journal"), 0o644)
        let error = #expect(throws: DataFileError.self) { try AgentStore(path: temp.file("agents.json")) }
        #expect(error?.path == temp.file("agents.journal"))
        #expect(error?.reason.hasPrefix("permissions 0644 are too open") == true)
    }

    /// The snapshot is rewritten only after as many changes as it held agents (64 at least), so
    /// 600 creates write a few snapshots holding fewer than two entries per create, where
    /// rewriting the file at every create wrote 180,300 entries.
    @Test func snapshotsAreAmortisedOverTheChangesSinceTheLast() throws {
        let temp = try StoreTestDirectory()
        let store = try AgentStore(path: temp.file("agents.json"))
        for i in 0..<600 { _ = try store.create(label: "agent-\(i)", now: UInt64(i)) }
        let (snapshots, entries) = store.snapshotWrites
        #expect(snapshots <= 6, "\(snapshots) snapshots for 600 creates")
        #expect(entries <= 2 * 600, "\(entries) entries rewritten for 600 creates")
        #expect(try AgentStore(path: temp.file("agents.json")).list() == store.list())
    }
}
