import A2ALCore
import Testing
@testable import A2ALDaemon

@Suite struct PeerCacheTests {
    static func peer(_ n: UInt8, seen: UInt64, addr: String? = nil) -> CachedPeer {
        let address = Address.ed25519(publicKey: [UInt8](repeating: n, count: 32))
        return CachedPeer(nodeID: address.nodeID.description, address: address.text,
                          addr: addr ?? "10.0.0.\(n):4121", lastSeen: seen)
    }

    @Test func keepsTheMostRecentlySeenUpToCapacity() throws {
        let temp = try StoreTestDirectory()
        let path = temp.file("peers.json")
        let cache = try PeerCache(path: path, capacity: 3)
        #expect(cache.load().isEmpty)
        let peers = [Self.peer(1, seen: 10), Self.peer(2, seen: 50), Self.peer(3, seen: 30),
                     Self.peer(4, seen: 40), Self.peer(5, seen: 20)]
        try cache.save(peers)
        #expect(cache.load() == [peers[1], peers[3], peers[2]])
        #expect(storeTestMode(path) == 0o600)

        let reloaded = try PeerCache(path: path, capacity: 3)
        #expect(reloaded.load() == [peers[1], peers[3], peers[2]])
        // A smaller capacity after a restart trims what was on disk.
        #expect(try PeerCache(path: path, capacity: 1).load() == [peers[1]])
    }

    @Test func oneEntryPerNodeKeepingTheNewest() throws {
        let temp = try StoreTestDirectory()
        let cache = try PeerCache(path: temp.file("peers.json"), capacity: 10)
        let old = Self.peer(1, seen: 5, addr: "10.0.0.1:1")
        let new = Self.peer(1, seen: 9, addr: "[2001:db8::1]:4121")
        try cache.save([old, Self.peer(2, seen: 7), new])
        #expect(cache.load() == [new, Self.peer(2, seen: 7)])
    }

    @Test func saveDropsEntriesThatWouldNotLoad() throws {
        let temp = try StoreTestDirectory()
        let path = temp.file("peers.json")
        let cache = try PeerCache(path: path, capacity: 10)
        var badAddr = Self.peer(2, seen: 2)
        badAddr.addr = "no port"
        var badID = Self.peer(3, seen: 3)
        badID.nodeID = "xyz"
        try cache.save([Self.peer(1, seen: 1), badAddr, badID])
        #expect(cache.load() == [Self.peer(1, seen: 1)])
        #expect(try PeerCache(path: path, capacity: 10).load() == [Self.peer(1, seen: 1)])
    }

    @Test func damagedFileIsAnErrorNamingIt() throws {
        let temp = try StoreTestDirectory()
        let path = temp.file("peers.json")
        try temp.write(#"{"version":1,"peers":[{"node_id":"00","address":"x","addr":"1.2.3.4:1","last_seen":1}]}"#,
                       to: "peers.json")
        let error = #expect(throws: DataFileError.self) { try PeerCache(path: path, capacity: 4) }
        #expect(error?.path == path)
        #expect(error?.reason == "peers[0]: node_id \"00\" must be 64 lowercase hex characters")

        try temp.write(#"{"version":1,"peers":["#, to: "peers.json")
        let truncated = #expect(throws: DataFileError.self) { try PeerCache(path: path, capacity: 4) }
        #expect(truncated?.description == path + ": line 1, column 23: unexpected end of input; expected a value")
    }
}
