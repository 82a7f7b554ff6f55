import A2ALCore
import A2ALDaemon
import A2ALRPC
import Foundation
import Glibc
import Testing

/// agent.create and agent.import on a daemon that holds as many agents as it may
/// (`AgentLimits.maxAgents`): `overloaded` naming the limit, and room again after a remove.
@Suite struct AgentLimitMethodsTests {
    @Test func creatingOrImportingPastTheLimitIsOverloadedWithTheLimit() async throws {
        let dir = try PubDataDir()
        try Self.writeFullAgentsFile(dir.agentsPath)
        try await withCluster(PubDaemon(node: try await PubNetwork(ipBase: 0x0a0b_0001).node(0), dir: dir)) { d in

            let created = await d.failure("agent.create", ["label": "one too many"])
            expectPubAppError(created, .overloaded)
            #expect(created?.data?["limit"]?.intValue == Int64(AgentLimits.maxAgents))
            #expect(created?.data?["scope"]?.stringValue == "daemon")
            let imported = await d.failure("agent.import", ["private_key": .string(Hex.encode(Ed25519.KeyPair.generate().seed))])
            expectPubAppError(imported, .overloaded)
            #expect(imported?.data?["limit"]?.intValue == Int64(AgentLimits.maxAgents))
            #expect(try await d.call("agent.list").pubArray("agents").count == AgentLimits.maxAgents)

            let first = try #require(try await d.call("agent.list").pubArray("agents").first?.objectValue?["address"])
            _ = try await d.call("agent.remove", ["address": first])
            _ = try await d.call("agent.create", ["label": "room again"])
            #expect(try AgentStore(path: dir.agentsPath).count == AgentLimits.maxAgents)
        }
    }

    /// An agents file holding as many agents as a daemon may (creating them one by one through
    /// a daemon would take too long for a test).
    static func writeFullAgentsFile(_ path: String) throws {
        let entries = (0..<AgentLimits.maxAgents).map { i -> String in
            let pair = Ed25519.KeyPair.generate()
            return #"{"address":"\#(pair.address.text)","private_key":"\#(Hex.encode(pair.seed))","label":"","created_at":\#(i)}"#
        }
        try Data(#"{"version":1,"agents":[\#(entries.joined(separator: ","))]}"#.utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o600)
    }
}
