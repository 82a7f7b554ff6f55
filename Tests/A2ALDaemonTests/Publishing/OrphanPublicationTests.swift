import A2ALDaemon
import A2ALRPC
import Testing

/// Publications whose agent is gone are dropped when the daemon loads them, with a log line
/// naming each (docs/jsonrpc.md, "Configuration and data directory").
@Suite struct OrphanPublicationTests {
    @Test func publicationsOfAnAgentNoLongerHeldAreDroppedAndLogged() async throws {
        try await withCluster(PubDaemon(node: try await PubNetwork(ipBase: 0x0a0c_0001).node(0))) { d in
            let gone = try await d.createAgent("gone")
            let kept = try await d.createAgent("kept")
            let orphan = try await d.call("publish.topic", ["agent": .string(gone), "topic": "t", "timeout_ms": 1]).pubString("publication")
            let keptID = try await d.call("publish.topic", ["agent": .string(kept), "topic": "t", "timeout_ms": 1]).pubString("publication")
            // What an agents file restored from an older copy (or the old remove/publish race) leaves.
            #expect(try d.agents.remove(pubAddress(gone)))

            let publications = try PublicationStore(path: d.dir.publicationsPath)
            let log = CapturedLog()
            let restarted = Publisher(node: d.node, agents: d.agents, store: publications, logger: log.logger)
            let dropped = try restarted.dropOrphanPublications()
            #expect(dropped.map(\.id) == [orphan])
            #expect(publications.list().map(\.id) == [keptID])
            #expect(try PublicationStore(path: d.dir.publicationsPath).list().map(\.id) == [keptID])
            #expect(log.text.contains { $0.contains(orphan) && $0.contains(gone) }, "\(log.text)")
            #expect(try restarted.dropOrphanPublications().isEmpty)
        }
    }
}
