import A2ALCore
import A2ALProtocol
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import A2ALDHT

/// Resident set size of this process in bytes (from /proc/self/statm), nil where unknown —
/// and under a sanitizer (scripts/sanitizers.sh sets ASAN_OPTIONS or TSAN_OPTIONS), whose
/// shadow memory and quarantine make the figure say nothing about our own memory.
func residentBytes() -> Int? {
    if getenv("ASAN_OPTIONS") != nil || getenv("TSAN_OPTIONS") != nil { return nil }
    guard let f = fopen("/proc/self/statm", "r") else { return nil }
    defer { fclose(f) }
    var buffer = [CChar](repeating: 0, count: 256)
    guard fgets(&buffer, Int32(buffer.count), f) != nil else { return nil }
    let fields = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).split(separator: " ")
    guard fields.count >= 2, let pages = Int(fields[1]) else { return nil }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// A STORE flood from hundreds of addresses in two public networks (docs/security.md, "Store
/// floods"): the store stays within its byte budget, each network within its share, every
/// STORE is answered, our own and a legitimate peer's records survive, and memory stays bounded.
@Suite(.serialized) struct StoreFloodTests {
    @Test func aFloodFromManyAddressesStaysWithinTheBudget() async throws {
        let budget = StoreBudget(maxBytes: 2 << 20, maxBytesPerSource: 256 << 10)
        try await withCluster(TestCluster(size: 2, rateLimit: nil)) { c in
            let node = c.nodes[0]
            node.storeBudget = budget
            let now = c.clock.unixSeconds()
            let own = try endpointRecord(c.keys[0], now: now)
            try node.publish(own)

            // 300 attacker addresses: 250 in 198.51.100.0/24, 50 in 203.0.113.0/24; 20 records each,
            // every one ~850 bytes and signed by a fresh key (so per-key caps never bite).
            let rssBefore = residentBytes()
            var peers: [RawPeer] = []
            for i in 0..<300 {
                let ip: UInt32 = i < 250 ? 0xC633_6400 + UInt32(i + 1) : 0xCB00_7100 + UInt32(i - 249)
                peers.append(try await RawPeer(c.network, ip: ip))
            }
            var sent = 0
            for (i, peer) in peers.enumerated() {
                for j in 0..<20 {
                    let signer = Ed25519.KeyPair.generate()
                    let record = try SignedRecord.sign(recType: 0x05, payload: [UInt8](repeating: UInt8(truncatingIfNeeded: i ^ j), count: 680),
                                                       seq: 1, timestamp: now, ttl: 3600, signer: signer)
                    try peer.send(.store(Store(record: record, key: nil)), to: c.address(0))
                    sent += 1
                }
            }
            // A legitimate peer on another network publishes after the flood.
            let legit = try endpointRecord(c.keys[1], now: now)
            #expect(try await c.nodes[1].storeAt(c.address(0), key: .zero, record: legit, timeout: .seconds(10), attempts: 1) == .stored)

            // Every STORE gets an answer. Only STORE_RESPs count: the node's own lookups may ask
            // these peers too, with hedged requests (docs/routing.md §3.6).
            func answers() -> Int {
                peers.reduce(0) { $0 + $1.inbox.items.withLock { $0.filter { (try? Packet.decode($0))?.type == .storeResp }.count } }
            }
            for _ in 0..<500 where peers.reduce(0, { $0 + $1.inbox.items.withLock { $0.count } }) < sent {
                try await Task.sleep(for: .milliseconds(20))
            }
            for _ in 0..<50 where answers() < sent {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(answers() == sent)

            let stats = node.debugStats()
            let store = node.state.withLock { $0.store }
            let flood24 = try #require(SubnetKey(WireEndpoint(ip: IPAddress(text: "198.51.100.1")!, port: 9)))
            let other24 = try #require(SubnetKey(WireEndpoint(ip: IPAddress(text: "203.0.113.1")!, port: 9)))
            #expect(store.sources.bytes(of: flood24) <= budget.maxBytesPerSource)
            #expect(store.sources.bytes(of: other24) <= budget.maxBytesPerSource)
            #expect(stats.storeBytes <= budget.maxBytes)
            #expect(stats.storeRefusedOverQuota > 0)
            #expect(node.localGet(c.nodes[0].nodeID).map(\.record) == [own], "our own publication is never evicted")
            #expect(node.localGet(c.nodes[1].nodeID).map(\.record) == [legit])
            // The node still serves a legitimate peer.
            _ = try await c.nodes[1].ping(c.address(0), timeout: .seconds(5))
            if let before = rssBefore, let after = residentBytes() {
                #expect(after - before < 96 << 20, "resident memory grew by \(after - before) bytes")
            }
        }
    }
}
