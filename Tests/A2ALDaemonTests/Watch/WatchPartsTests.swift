import A2ALCore
import A2ALProtocol
import Testing
@testable import A2ALDaemon

/// The pure parts of `watch` (docs/jsonrpc.md, "Watches"): the poll schedule, the bounded
/// memory of announced records, and which records a watch wants.
@Suite struct WatchPartsTests {
    @Test func pollsBackOffToFiveMinutesAndResetOnActivity() {
        var b = PollBackoff(base: .seconds(15))
        var waits: [Duration] = []
        for _ in 0..<7 {
            b.quiet()
            waits.append(b.current)
        }
        #expect(waits == [.seconds(30), .seconds(60), .seconds(120), .seconds(240), .seconds(300), .seconds(300), .seconds(300)])
        b.activity()
        #expect(b.current == .seconds(15))
        // A shorter interval asked by a new watch applies at once; a longer base never backs
        // off below itself.
        b.quiet()
        b.rebase(.seconds(1))
        #expect(b.base == .seconds(1) && b.current == .seconds(1))
        var slow = PollBackoff(base: .seconds(300))
        slow.quiet()
        #expect(slow.current == .seconds(300))
    }

    @Test func seenRecordsAnnounceOnceAndStayBounded() {
        var seen = SeenRecords(capacity: 4)
        let ids = (0..<6).map { _ in NodeID.random() }
        let added1 = seen.insert(ids[0], expiresAt: 100, now: 10)
        #expect(added1)
        let added2 = seen.insert(ids[0], expiresAt: 100, now: 10)
        #expect(!added2)
        let added3 = seen.insert(ids[1], expiresAt: 20, now: 10)   // expires first
        #expect(added3)
        let added4 = seen.insert(ids[2], expiresAt: 100, now: 10)
        #expect(added4)
        let added5 = seen.insert(ids[3], expiresAt: 100, now: 10)
        #expect(added5)
        #expect(seen.count == 4)
        // Full: the expired record goes first, the older live ones stay.
        let added6 = seen.insert(ids[4], expiresAt: 100, now: 50)
        #expect(added6)
        #expect(!seen.contains(ids[1]) && seen.contains(ids[0]) && seen.count == 4)
        // Full with nothing expired: the oldest goes.
        let added7 = seen.insert(ids[5], expiresAt: 100, now: 50)
        #expect(added7)
        #expect(!seen.contains(ids[0]) && seen.contains(ids[2]) && seen.contains(ids[5]) && seen.count == 4)
        // Long use keeps it bounded.
        for _ in 0..<1000 { _ = seen.insert(NodeID.random(), expiresAt: 100, now: 50) }
        #expect(seen.count == 4)
    }

    @Test func targetsWantTheirRecordsOnly() {
        let agent = Address.ed25519(publicKey: Ed25519.KeyPair.generate().publicKey)
        let anyType = WatchTarget.key(.random(), recType: 0)
        let endpoints = WatchTarget.key(.random(), recType: RecordType.endpoint)
        let topic = WatchTarget.topic("chat/v1")
        let mailbox = WatchTarget.agent(agent)
        #expect(topic.key == TopicKey.key(for: "chat/v1") && mailbox.key == agent.nodeID)
        #expect(anyType.announcesRecord(0x80) && anyType.pollType == 0)
        #expect(endpoints.announcesRecord(RecordType.endpoint) && !endpoints.announcesRecord(RecordType.topic))
        #expect(topic.announcesRecord(RecordType.topic) && !topic.announcesRecord(RecordType.endpoint))
        #expect(mailbox.mailboxAgent(for: 0x80) == agent && mailbox.mailboxAgent(for: 0x8F) == agent)
        #expect(mailbox.mailboxAgent(for: RecordType.endpoint) == nil && !mailbox.announcesRecord(0x80))
        #expect(!mailbox.wants(RecordType.endpoint) && mailbox.wants(0x85) && mailbox.pollType == 0)
    }
}
