import A2ALCore
import Glibc
import Testing
@testable import A2ALDaemon

/// What a change to the agent store writes: never a file the loader cannot read back, and not
/// more with many agents than with few (docs/security.md, "Local files").
@Suite struct AgentStoreGrowthTests {
    /// A label of control characters, which JSON escapes to 6 bytes each, once made
    /// `agents.json` bigger than the 16 MiB its loader reads: the daemon could not start again.
    @Test func aLabelTheLoaderCouldNotReadIsRefused() throws {
        let temp = try StoreTestDirectory()
        let path = temp.file("agents.json")
        let store = try AgentStore(path: path)
        let kept = try store.create(label: "kept", now: 1)
        for label in [String(repeating: "\u{1}", count: 3 << 20), String(repeating: "x", count: 257)] {
            #expect(throws: AgentStoreError.self) { try store.create(label: label, now: 2) }
            #expect(throws: AgentStoreError.self) { try store.importSeed(AgentStoreTests.seed, label: label, now: 2) }
        }
        #expect(store.list() == [kept])
        #expect(try AgentStore(path: path).list() == [kept])
    }

    /// Adding or removing one agent among a hundred leaves `agents.json` untouched: the change
    /// goes to the journal beside it.
    @Test func aChangeDoesNotRewriteTheAgentsAlreadyStored() throws {
        let temp = try StoreTestDirectory()
        let path = temp.file("agents.json")
        let store = try AgentStore(path: path)
        for i in 0..<100 { _ = try store.create(label: "agent-\(i)", now: UInt64(i)) }
        let before = try #require(Self.identity(path))

        let added = try store.create(label: "one more", now: 200)
        #expect(Self.identity(path) == before, "agents.json was rewritten to add one agent")
        #expect(try store.remove(added.address))
        #expect(Self.identity(path) == before, "agents.json was rewritten to remove one agent")
        #expect(try AgentStore(path: path).list() == store.list())
    }

    /// Inode, size and modification time: what changes when a file is rewritten or replaced.
    static func identity(_ path: String) -> [Int]? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return [Int(status.st_ino), Int(status.st_size), Int(status.st_mtim.tv_sec), Int(status.st_mtim.tv_nsec)]
    }
}
