import A2ALCore
import Foundation
import Glibc
import Testing
@testable import A2ALDaemon

@Suite struct AgentStoreTests {
    static let seed: [UInt8] = (0..<32).map { UInt8($0) }

    @Test func createImportListRemoveAndExport() throws {
        let temp = try StoreTestDirectory()
        let store = try AgentStore(path: temp.file("agents.json"))
        #expect(store.list().isEmpty)

        let created = try store.create(label: "first", now: 200)
        let expected = try Ed25519.KeyPair(seed: Self.seed)
        let imported = try store.importSeed(Self.seed, label: "second", now: 100)
        #expect(imported.address == expected.address)
        #expect(imported.nodeID == expected.address.nodeID)
        #expect(imported.label == "second" && imported.createdAt == 100)
        #expect(created.address.version == Address.Version.ed25519.rawValue)

        // By creation time, not insertion order.
        #expect(store.list() == [imported, created])
        #expect(store.contains(created.address))
        #expect(store.seed(for: imported.address) == Self.seed)
        #expect(store.privateKey(for: imported.address)?.publicKey == expected.publicKey)
        let createdSeed = try #require(store.seed(for: created.address))
        #expect(try Ed25519.KeyPair(seed: createdSeed).address == created.address)

        #expect(try store.remove(imported.address))
        #expect(try !store.remove(imported.address))
        #expect(store.list() == [created])
        #expect(!store.contains(imported.address))
        #expect(store.seed(for: imported.address) == nil)
        #expect(store.privateKey(for: imported.address) == nil)
    }

    @Test func reloadsWhatWasSaved() throws {
        let temp = try StoreTestDirectory()
        let path = temp.file("agents.json")
        let store = try AgentStore(path: path)
        let a = try store.create(label: "a", now: 1)
        let b = try store.importSeed(Self.seed, label: "b \"quoted\" ünïcode", now: 2)
        let c = try store.create(label: "", now: 3)
        #expect(try store.remove(c.address))

        let reloaded = try AgentStore(path: path)
        #expect(reloaded.list() == [a, b])
        #expect(reloaded.seed(for: b.address) == Self.seed)
        #expect(reloaded.seed(for: a.address) == store.seed(for: a.address))
    }

    @Test func fileIsTheDocumentedFormatWithMode0600() throws {
        let temp = try StoreTestDirectory()
        let store = try AgentStore(path: temp.file("agents.json"))
        let agent = try store.importSeed(Self.seed, label: "x", now: 1_700_000_000)
        #expect(storeTestMode(temp.file("agents.json")) == 0o600)
        let json = try temp.json("agents.json")
        #expect(json["version"] as? Int == 1)
        let agents = try #require(json["agents"] as? [[String: Any]])
        #expect(agents.count == 1)
        #expect(agents.first?["address"] as? String == agent.address.text)
        #expect(agents.first?["private_key"] as? String == Hex.encode(Self.seed))
        #expect(agents.first?["label"] as? String == "x")
        #expect(agents.first?["created_at"] as? Int == 1_700_000_000)
        // The journal beside it is empty once the snapshot holds everything; no temporaries.
        #expect(try Set(FileManager.default.contentsOfDirectory(atPath: temp.path)) == ["agents.json", "agents.journal"])
        #expect(try temp.read("agents.journal").isEmpty)
        #expect(storeTestMode(temp.file("agents.journal")) == 0o600)
    }

    @Test func importingAHeldKeyIsAConflict() throws {
        let temp = try StoreTestDirectory()
        let store = try AgentStore(path: temp.file("agents.json"))
        let first = try store.importSeed(Self.seed, label: "one", now: 1)
        let error = #expect(throws: AgentStoreError.self) { try store.importSeed(Self.seed, label: "two", now: 2) }
        #expect(error == .conflict(first.address))
        #expect(error?.description == "agent \(first.address) is already held")
        #expect(store.list() == [first])
    }

    @Test func importRejectsSeedsThatAreNot32Bytes() throws {
        let temp = try StoreTestDirectory()
        let store = try AgentStore(path: temp.file("agents.json"))
        for count in [0, 31, 33, 64] {
            let error = #expect(throws: AgentStoreError.self) {
                try store.importSeed([UInt8](repeating: 7, count: count), label: "", now: 1)
            }
            #expect(error == .invalidKey("an Ed25519 seed is 32 bytes, got \(count)"))
        }
        #expect(store.list().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: temp.file("agents.json")))
    }

    @Test func failedWriteLeavesTheStoreUnchanged() throws {
        let temp = try StoreTestDirectory()
        try FileManager.default.createDirectory(atPath: temp.file("sub"), withIntermediateDirectories: false)
        let path = temp.file("sub/agents.json")
        let store = try AgentStore(path: path)
        let kept = try store.create(label: "kept", now: 1)
        // With the directory gone, nothing can be written there.
        try FileManager.default.removeItem(atPath: temp.file("sub"))

        let error = #expect(throws: AgentStoreError.self) { try store.importSeed(Self.seed, label: "", now: 2) }
        guard case .storage(let fileError) = error else {
            Issue.record("expected a storage error, got \(String(describing: error))")
            return
        }
        #expect(fileError.path == path)
        #expect(store.list() == [kept])
        #expect(!store.contains(try Ed25519.KeyPair(seed: Self.seed).address))

        #expect(throws: AgentStoreError.self) { try store.remove(kept.address) }
        #expect(store.list() == [kept])
    }

    // MARK: - Damaged files

    private func loadError(_ text: String) throws -> (DataFileError?, String) {
        let temp = try StoreTestDirectory()
        let path = temp.file("agents.json")
        try temp.write(text, to: "agents.json")
        chmod(path, 0o600)
        let error = #expect(throws: DataFileError.self) { try AgentStore(path: path) }
        #expect(error?.path == path)
        #expect(error?.description.hasPrefix(path + ": ") == true)
        return (error, path)
    }

    private var validEntry: String {
        get throws {
            let pair = try Ed25519.KeyPair(seed: Self.seed)
            return #"{"address":"\#(pair.address.text)","private_key":"\#(Hex.encode(Self.seed))","label":"l","created_at":5}"#
        }
    }

    @Test func validHandWrittenFileLoads() throws {
        let temp = try StoreTestDirectory()
        try temp.write(#"{"version":1,"agents":[\#(try validEntry)]}"#, to: "agents.json")
        chmod(temp.file("agents.json"), 0o600)
        let store = try AgentStore(path: temp.file("agents.json"))
        #expect(store.list().map(\.label) == ["l"])
    }

    @Test func fileOthersCanReadIsRefused() throws {
        let temp = try StoreTestDirectory()
        let path = temp.file("agents.json")
        try temp.write(#"{"version":1,"agents":[\#(try validEntry)]}"#, to: "agents.json")
        chmod(path, 0o640)
        let error = #expect(throws: DataFileError.self) { try AgentStore(path: path) }
        #expect(error?.path == path)
        #expect(error?.reason.hasPrefix("permissions 0640 are too open") == true)
    }

    @Test func truncatedFileIsAnError() throws {
        let (error, _) = try loadError(#"{"version":1,"agents":[\#(try validEntry)"#)
        #expect(error?.reason.hasPrefix("line 1, column ") == true)
        #expect(error?.reason.hasSuffix(": unexpected end of input; expected ',' or ']' in array") == true)
    }

    @Test func emptyFileIsAnError() throws {
        let (error, _) = try loadError("")
        #expect(error?.reason == "line 1, column 1: empty input; expected a JSON value")
    }

    @Test func wrongVersionIsAnError() throws {
        let (error, _) = try loadError(#"{"version":2,"agents":[]}"#)
        #expect(error?.reason == "unsupported version 2 (this daemon reads version 1)")
        let (missing, _) = try loadError(#"{"agents":[]}"#)
        #expect(missing?.reason == "missing key \"version\" (not an a2ald data file?)")
    }

    @Test func seedThatDoesNotDeriveTheAddressIsAnError() throws {
        let other = Ed25519.KeyPair.generate()
        let entry = #"{"address":"\#(other.address.text)","private_key":"\#(Hex.encode(Self.seed))","label":"","created_at":1}"#
        let (error, _) = try loadError(#"{"version":1,"agents":[\#(try validEntry),\#(entry)]}"#)
        #expect(error?.reason.hasPrefix("agents[1]: private_key does not belong to address \(other.address.text)") == true)
    }

    @Test func badSeedTextIsAnError() throws {
        let pair = try Ed25519.KeyPair(seed: Self.seed)
        let entry = #"{"address":"\#(pair.address.text)","private_key":"abc","label":"","created_at":1}"#
        let (error, _) = try loadError(#"{"version":1,"agents":[\#(entry)]}"#)
        #expect(error?.reason == "agents[0]: private_key must be 64 hex characters (a 32-byte Ed25519 seed)")
    }

    @Test func badAddressIsAnError() throws {
        let entry = #"{"address":"nope","private_key":"\#(Hex.encode(Self.seed))","label":"","created_at":1}"#
        let (error, _) = try loadError(#"{"version":1,"agents":[\#(entry)]}"#)
        #expect(error?.reason.hasPrefix("agents[0]: address \"nope\" is not a valid address") == true)
    }

    @Test func duplicateEntryIsAnError() throws {
        let (error, _) = try loadError(#"{"version":1,"agents":[\#(try validEntry),\#(try validEntry)]}"#)
        #expect(error?.reason == "agents[1]: the same address as agents[0]")
    }

    @Test func wrongFieldTypeNamesTheField() throws {
        let pair = try Ed25519.KeyPair(seed: Self.seed)
        let entry = #"{"address":"\#(pair.address.text)","private_key":"\#(Hex.encode(Self.seed))","label":3,"created_at":1}"#
        let (error, _) = try loadError(#"{"version":1,"agents":[\#(entry)]}"#)
        #expect(error?.reason == "agents[0].label: expected a string")
        let (missing, _) = try loadError(#"{"version":1}"#)
        #expect(missing?.reason == "top level: missing key \"agents\"")
    }

    @Test func aDirectoryInPlaceOfTheFileIsAnError() throws {
        let temp = try StoreTestDirectory()
        try FileManager.default.createDirectory(atPath: temp.file("agents.json"), withIntermediateDirectories: false)
        let error = #expect(throws: DataFileError.self) { try AgentStore(path: temp.file("agents.json")) }
        #expect(error?.path == temp.file("agents.json"))
    }
}
