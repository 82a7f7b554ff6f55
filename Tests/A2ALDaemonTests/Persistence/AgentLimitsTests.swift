import A2ALCore
import Foundation
import Glibc
import Testing
@testable import A2ALDaemon

/// The agent limits keep every file the store writes loadable: a full store of worst-case
/// entries fits the loader with room to spare (docs/security.md, "Local files").
@Suite struct AgentLimitsTests {
    /// Labels of `AgentLimits.maxLabelBytes` bytes that JSON makes as long as it can.
    static let worstLabels: [String] = ["\u{1}", "\u{1f}", "\"", "\\", "\u{7f}", "\u{2028}", "é"].map {
        String(repeating: $0, count: AgentLimits.maxLabelBytes / $0.utf8.count)
    }

    static func worstAgent(_ label: String) -> HeldAgent {
        HeldAgent(keyPair: .generate(), label: label, createdAt: .max)
    }

    static func snapshotBytes(_ agents: [HeldAgent], _ temp: StoreTestDirectory) throws -> Int {
        let path = temp.file("probe.json")
        try JSONDataFile.write(AgentsFile(version: AgentsFile.currentVersion, agents: agents.map(\.fileEntry)), to: path)
        return try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? -1
    }

    @Test func theWorstEntryFitsMaxEntryBytesAndAFullStoreFitsTheLoader() throws {
        let temp = try StoreTestDirectory()
        for label in Self.worstLabels {
            #expect(label.utf8.count <= AgentLimits.maxLabelBytes)
            let one = Self.worstAgent(label), two = Self.worstAgent(label)
            // What one more entry adds to the pretty-printed snapshot, separators included.
            let entry = try Self.snapshotBytes([one, two], temp) - Self.snapshotBytes([one], temp)
            #expect(entry <= AgentLimits.maxEntryBytes, "a snapshot entry of \(entry) bytes")
            let line = try AgentJournalLine.add(one).encoded(path: "probe").count
            #expect(line <= AgentLimits.maxEntryBytes, "a journal line of \(line) bytes")
        }
        #expect(AgentLimits.maxAgents * AgentLimits.maxEntryBytes + 4096 < JSONDataFile.maxBytes)
    }

    /// As many agents as the store takes, each with the longest escaped label, in the snapshot
    /// and then in the journal: both load, and the store refuses one more.
    @Test func aFullStoreOfWorstCaseEntriesLoadsAndRefusesOneMore() throws {
        let temp = try StoreTestDirectory()
        let label = String(repeating: "\u{1}", count: AgentLimits.maxLabelBytes)
        let agents = (0..<AgentLimits.maxAgents).map { _ in Self.worstAgent(label) }

        let snapshot = try Self.snapshotBytes(agents, temp)
        #expect(snapshot < JSONDataFile.maxBytes, "a full snapshot is \(snapshot) bytes")
        try FileManager.default.moveItem(atPath: temp.file("probe.json"), toPath: temp.file("agents.json"))
        let store = try AgentStore(path: temp.file("agents.json"))
        #expect(store.count == AgentLimits.maxAgents)
        #expect(throws: AgentStoreError.full(limit: AgentLimits.maxAgents)) { try store.create(label: "", now: 1) }
        #expect(throws: AgentStoreError.full(limit: AgentLimits.maxAgents)) {
            try store.importSeed(AgentStoreTests.seed, label: "", now: 1)
        }
        #expect(try store.remove(agents[0].address))
        _ = try store.create(label: label, now: 1)

        var journal: [UInt8] = []
        for agent in agents { journal += try AgentJournalLine.add(agent).encoded(path: "probe") }
        #expect(journal.count < JSONDataFile.maxBytes, "a full journal is \(journal.count) bytes")
        let other = try StoreTestDirectory()
        try Data(journal).write(to: URL(fileURLWithPath: other.file("agents.journal")))
        chmod(other.file("agents.journal"), 0o600)
        #expect(try AgentStore(path: other.file("agents.json")).count == AgentLimits.maxAgents)
    }
}
