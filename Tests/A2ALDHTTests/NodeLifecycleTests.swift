import A2ALSimulation
#if canImport(Glibc)
import Glibc
#endif
import A2ALCore
import A2ALProtocol
import A2ALTestSupport
import Testing
@testable import A2ALDHT

/// Workers and persistence: the expiry sweeper, the seen-peers window across a restart, LRU
/// eviction of a dead contact in a full bucket.
@Suite struct NodeLifecycleTests {
    @Test func sweeperRemovesExpiredRecords() async throws {
        let clock = ManualClock()
        try await withCluster(TestCluster(size: 1, clock: clock)) { c in
            let node = c.nodes[0]
            try node.localPut(try endpointRecord(c.keys[0], now: clock.unixSeconds(), ttl: 10))
            #expect(node.storeKeyCount == 1)
            // The sweeper sleeps on the manual clock (at most a minute at a time); keep moving time
            // until it has run after the expiry.
            for _ in 0..<200 where node.storeKeyCount != 0 {
                clock.advance(by: .seconds(61))
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(node.storeKeyCount == 0)
        }
    }

    @Test func seenPeersSurviveARestart() async throws {
        let dir = "/tmp/a2al-seen-\(UInt64.random(in: 0...UInt64.max))"
        try AtomicFile.ensureDirectory(dir)
        let path = dir + "/seen_peers"
        let network = MemoryNetwork(clock: SystemClock())
        func makeNode(_ name: String, key: Ed25519.KeyPair, seen: String?) throws -> DHTNode {
            let store = MemoryKeyStore()
            _ = try store.add(key)
            return try DHTNode(config: .init(transport: try network.makeTransport(name: name), keyStore: store,
                                             seenPeersPath: seen))
        }
        let key = Ed25519.KeyPair.generate()
        let a = try makeNode("a", key: key, seen: path)
        let b = try makeNode("b", key: .generate(), seen: nil)
        try await a.start()
        try await b.start()
        try await b.ping(a.localAddress)
        #expect(a.debugStats().reach1h == 1 && a.debugStats().uniqueNodesSinceStart == 1)
        await a.close()
        await b.close()
        let mode = try fileModeBitsOf(path)
        #expect(mode == 0o600)
        let again = try makeNode("a", key: key, seen: path)
        let stats = again.debugStats()
        #expect(stats.reach1h == 1 && stats.reach7d == 1)
        #expect(stats.uniqueNodesSinceStart == 0)  // loaded sightings are not new this boot
        await again.close()
    }

    @Test func deadLRUInAFullBucketMakesRoomForAVerifiedNewcomer() async throws {
        // Node 0's bucket 0 (half the ID space) overflows: 20 of the other 63 keys are drawn in it,
        // so the test does not rest on luck: random keys left it short about once in 6,000 runs.
        let keys = Self.keysWithBucketZero(holding: 20, of: 64)
        try await withCluster(TestCluster(size: 64, key: { keys[$0] })) { c in
            let selfID = c.nodes[0].nodeID
            let bucket0 = (1..<64).filter { selfID.bucketIndex(of: c.nodes[$0].nodeID) == 0 }
            try #require(bucket0.count >= 18)
            for i in bucket0.prefix(16) { try await c.nodes[i].ping(c.address(0)) }
            func bucket0LRU() throws -> NodeID {
                try #require(c.nodes[0].routingEntries().first { selfID.bucketIndex(of: $0.contact.nodeID) == 0 }?.contact.nodeID)
            }
            let firstLRU = try bucket0LRU()
            // A 17th verified peer while everyone is alive: the LRU answers, stays, and becomes MRU.
            let seventeenth = bucket0[16]
            try await c.nodes[seventeenth].ping(c.address(0))
            try await waitUntil { (try? bucket0LRU()) != firstLRU }
            #expect(c.nodes[0].routingEntries().contains { $0.contact.nodeID == firstLRU })
            #expect(!c.nodes[0].routingEntries().contains { $0.contact.nodeID == c.nodes[seventeenth].nodeID })
            // The new LRU dies; the next newcomer triggers a check that evicts it (3 s ping timeout)
            // and a cached verified candidate takes its place.
            let lruID = try bucket0LRU()
            let lruIndex = try #require(bucket0.first { c.nodes[$0].nodeID == lruID })
            await c.nodes[lruIndex].close()
            let eighteenth = bucket0[17]
            try await c.nodes[eighteenth].ping(c.address(0))
            try await waitUntil { !c.nodes[0].routingEntries().contains { $0.contact.nodeID == lruID } }
            let entries = c.nodes[0].routingEntries().map(\.contact.nodeID)
            #expect(!entries.contains(lruID))
            #expect(entries.contains(c.nodes[seventeenth].nodeID) || entries.contains(c.nodes[eighteenth].nodeID))
            #expect(entries.filter { selfID.bucketIndex(of: $0) == 0 }.count == 16)
        }
    }

    /// `count` keys whose first is the node under test and of which at least `inBucketZero` others
    /// fall in its bucket 0 (node IDs differing in the first bit); the rest are drawn freely.
    static func keysWithBucketZero(holding inBucketZero: Int, of count: Int) -> [Ed25519.KeyPair] {
        let first = Ed25519.KeyPair.generate()
        let selfID = first.address.nodeID
        var keys = [first]
        while keys.count <= inBucketZero {
            let k = Ed25519.KeyPair.generate()
            if selfID.bucketIndex(of: k.address.nodeID) == 0 { keys.append(k) }
        }
        while keys.count < count { keys.append(.generate()) }
        return keys
    }
}

/// Permission bits of a file.
func fileModeBitsOf(_ path: String) throws -> UInt32 {
    var st = stat()
    guard stat(path, &st) == 0 else { throw DHTError.resolution("stat \(path)") }
    return UInt32(st.st_mode) & 0o777
}
