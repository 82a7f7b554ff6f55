import A2ALCore
import Foundation
import Testing
@testable import A2ALDaemon

@Suite struct PublicationStoreTests {
    static let agentA = Ed25519.KeyPair.generate().address.text
    static let agentB = Ed25519.KeyPair.generate().address.text
    static let keyA = Hex.encode([UInt8](repeating: 0xaa, count: 32))
    static let keyB = Hex.encode([UInt8](repeating: 0xbb, count: 32))

    static func endpoint(_ agent: String = agentA, key: String = keyA, id: String = PublicationStore.newID(),
                         endpoints: [String] = ["udp://1.2.3.4:4121"]) -> Publication {
        Publication(id: id, kind: .endpoint, agent: agent, key: key, ttlSeconds: 3600, createdAt: 10, lastSeq: 1,
                    endpoint: EndpointFields(endpoints: endpoints, natType: 2, signal: "wss://s", turns: ["t"],
                                             signals: ["s1", "s2"]))
    }

    static func topic(_ agent: String = agentA, key: String = keyB) -> Publication {
        Publication(id: PublicationStore.newID(), kind: .topic, agent: agent, key: key, ttlSeconds: 600,
                    createdAt: 11, lastSeq: 7,
                    topicFields: TopicFields(topic: "chat", name: "bot", protocols: ["a2a"], tags: ["x"],
                                             brief: "hello", metaJSON: #"{"k":[1,2]}"#))
    }

    static func custom(_ type: UInt8, key: String = keyA) -> Publication {
        Publication(id: PublicationStore.newID(), kind: .custom, agent: agentA, key: key, ttlSeconds: 60,
                    createdAt: 12, lastSeq: 3, custom: CustomFields(recType: type, data: [0, 1, 2, 250, 255]))
    }

    @Test func newIDIs16LowercaseHexAndRandom() {
        let ids = (0..<50).map { _ in PublicationStore.newID() }
        #expect(Set(ids).count == 50)
        #expect(ids.allSatisfy { Publication.isLowercaseHex($0, count: 16) })
    }

    @Test func upsertGetListRemoveAcrossReload() throws {
        let temp = try StoreTestDirectory()
        let path = temp.file("publications.json")
        let store = try PublicationStore(path: path)
        let e = Self.endpoint(), t = Self.topic(), c = Self.custom(0x20)
        #expect(try store.upsert(e).isEmpty)
        try store.upsert(t)
        try store.upsert(c)
        #expect(store.list() == [e, t, c])
        #expect(store.get(t.id) == t)
        #expect(store.get("0000000000000000") == nil)
        #expect(storeTestMode(path) == 0o600)

        #expect(try PublicationStore(path: path).list() == [e, t, c])

        #expect(try store.remove(t.id) == t)
        #expect(try store.remove(t.id) == nil)
        #expect(try PublicationStore(path: path).list() == [e, c])
    }

    @Test func upsertReplacesById() throws {
        let temp = try StoreTestDirectory()
        let store = try PublicationStore(path: temp.file("publications.json"))
        let first = Self.endpoint()
        try store.upsert(first)
        try store.upsert(Self.topic())
        var changed = first
        changed.endpoint?.endpoints = ["udp://5.6.7.8:1"]
        changed.lastSeq = 9
        #expect(try store.upsert(changed) == [first])
        #expect(store.list().count == 2)
        #expect(store.list().first == changed)
    }

    @Test func upsertReplacesTheSameSlotKeepingItsPosition() throws {
        let temp = try StoreTestDirectory()
        let path = temp.file("publications.json")
        let store = try PublicationStore(path: path)
        let old = Self.endpoint()
        let topic = Self.topic()
        try store.upsert(old)
        try store.upsert(topic)
        let new = Self.endpoint(endpoints: ["udp://9.9.9.9:9"])
        #expect(try store.upsert(new) == [old])
        #expect(store.list() == [new, topic])
        #expect(store.get(old.id) == nil)
        #expect(store.find(kind: .endpoint, agent: Self.agentA, key: Self.keyA) == new)
        #expect(try PublicationStore(path: path).list() == [new, topic])
    }

    @Test func differentSlotsCoexist() throws {
        let temp = try StoreTestDirectory()
        let store = try PublicationStore(path: temp.file("publications.json"))
        try store.upsert(Self.endpoint(Self.agentA))
        try store.upsert(Self.endpoint(Self.agentB))                 // other agent
        try store.upsert(Self.endpoint(Self.agentA, key: Self.keyB))  // other key
        try store.upsert(Self.custom(0x20))
        try store.upsert(Self.custom(0x21))                          // other custom type
        #expect(store.list().count == 5)
        let replacement = Self.custom(0x21)
        try store.upsert(replacement)
        #expect(store.list().count == 5)
        #expect(store.find(kind: .custom, agent: Self.agentA, key: Self.keyA, recType: 0x21) == replacement)
        #expect(store.find(kind: .topic, agent: Self.agentA, key: Self.keyA) == nil)
    }

    @Test func removeAllTakesOnlyThatAgents() throws {
        let temp = try StoreTestDirectory()
        let path = temp.file("publications.json")
        let store = try PublicationStore(path: path)
        let a1 = Self.endpoint(Self.agentA), a2 = Self.topic(Self.agentA), b = Self.endpoint(Self.agentB)
        for p in [a1, b, a2] { try store.upsert(p) }
        #expect(try store.removeAll(agent: Self.agentA) == [a1, a2])
        #expect(try store.removeAll(agent: Self.agentA).isEmpty)
        #expect(store.list() == [b])
        #expect(try PublicationStore(path: path).list() == [b])
    }

    @Test func recordSeqPersists() throws {
        let temp = try StoreTestDirectory()
        let path = temp.file("publications.json")
        let store = try PublicationStore(path: path)
        let p = Self.endpoint()
        try store.upsert(p)
        #expect(try store.recordSeq(p.id, 42))
        #expect(store.get(p.id)?.lastSeq == 42)
        #expect(try PublicationStore(path: path).get(p.id)?.lastSeq == 42)
        #expect(try !store.recordSeq("ffffffffffffffff", 1))
    }

    @Test func fileUsesSnakeCaseKeysAndBase64() throws {
        let temp = try StoreTestDirectory()
        let store = try PublicationStore(path: temp.file("publications.json"))
        try store.upsert(Self.custom(0x90))
        try store.upsert(Self.topic())
        let json = try temp.json("publications.json")
        #expect(json["version"] as? Int == 1)
        let entries = try #require(json["publications"] as? [[String: Any]])
        let custom = try #require(entries.first)
        #expect(Set(custom.keys) == ["id", "kind", "agent", "key", "ttl_s", "created_at", "last_seq", "custom"])
        let fields = try #require(custom["custom"] as? [String: Any])
        #expect(fields["rec_type"] as? Int == 0x90)
        #expect(fields["data"] as? String == "AAEC+v8=")
        let topic = try #require(entries.last?["topic"] as? [String: Any])
        #expect(topic["meta_json"] as? String == #"{"k":[1,2]}"#)
    }

    @Test func upsertRefusesMalformedPublications() throws {
        let temp = try StoreTestDirectory()
        let store = try PublicationStore(path: temp.file("publications.json"))
        var wrongKind = Self.endpoint()
        wrongKind.kind = .topic
        var badKey = Self.endpoint()
        badKey.key = "AB"
        var badID = Self.endpoint()
        badID.id = "xyz"
        for p in [wrongKind, badKey, badID] {
            #expect(throws: DataFileError.self) { try store.upsert(p) }
        }
        #expect(store.list().isEmpty)
    }

    // MARK: - Damaged files

    private func loadError(_ publications: String, version: Int = 1) throws -> String? {
        let temp = try StoreTestDirectory()
        let path = temp.file("publications.json")
        try temp.write(#"{"version":\#(version),"publications":[\#(publications)]}"#, to: "publications.json")
        let error = #expect(throws: DataFileError.self) { try PublicationStore(path: path) }
        #expect(error?.path == path)
        return error?.reason
    }

    private func entry(id: String = "0123456789abcdef", kind: String = "endpoint", agent: String = agentA,
                       key: String = keyA, fields: String? = nil) -> String {
        let body = fields ?? #""endpoint":{"endpoints":[],"nat_type":0,"signal":"","turns":[],"signals":[]}"#
        return #"{"id":"\#(id)","kind":"\#(kind)","agent":"\#(agent)","key":"\#(key)","ttl_s":60,"created_at":1,"last_seq":1,\#(body)}"#
    }

    @Test func handWrittenEntryLoads() throws {
        let temp = try StoreTestDirectory()
        try temp.write(#"{"version":1,"publications":[\#(entry())]}"#, to: "publications.json")
        #expect(try PublicationStore(path: temp.file("publications.json")).list().map(\.id) == ["0123456789abcdef"])
    }

    @Test func damagedEntriesNameTheEntryAndFault() throws {
        #expect(try loadError(entry(key: "abc")) == "publications[0]: key \"abc\" must be 64 lowercase hex characters")
        #expect(try loadError(entry() + "," + entry(id: "zz"))
                == "publications[1]: id \"zz\" must be 16 lowercase hex characters")
        #expect(try loadError(entry(agent: "someone"))?.hasPrefix("publications[0]: agent \"someone\" is not a valid address") == true)
        #expect(try loadError(entry(kind: "topic"))
                == "publications[0]: kind \"topic\" needs exactly the \"topic\" fields, found: endpoint")
        #expect(try loadError(entry(kind: "weird"))?.hasPrefix("publications[0].kind:") == true)
        #expect(try loadError(entry() + "," + entry())
                == "publications[1]: the same id as publications[0]")
        #expect(try loadError(entry() + "," + entry(id: "1111111111111111"))
                == "publications[1]: the same agent, kind and key as publications[0]")
        let badBase64 = #""custom":{"rec_type":32,"data":"***"}"#
        #expect(try loadError(entry(kind: "custom", fields: badBase64))
                == "publications[0].custom.data: not standard padded base64")
        #expect(try loadError("", version: 7) == "unsupported version 7 (this daemon reads version 1)")
    }

    @Test func truncatedFileIsAnError() throws {
        let temp = try StoreTestDirectory()
        try temp.write(#"{"version":1,"publications":[\#(entry())"#, to: "publications.json")
        let error = #expect(throws: DataFileError.self) { try PublicationStore(path: temp.file("publications.json")) }
        #expect(error?.reason.hasPrefix("line 1, column ") == true)
    }
}
