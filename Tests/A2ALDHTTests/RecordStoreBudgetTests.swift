import A2ALCore
import A2ALProtocol
import A2ALSimulation
import Testing
@testable import A2ALDHT

/// The store's byte budget and per-source quotas (docs/security.md, "Store floods").
@Suite struct RecordStoreBudgetTests {
    let now = StoreFixture.now

    func bigRecord(_ index: Int, payload: Int = 700) throws -> SignedRecord {
        try SignedRecord.sign(recType: 0x05, payload: [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: payload),
                              seq: 1, timestamp: now, ttl: 600, signer: try StoreFixture.signer(index))
    }

    /// Sum of every held record's budget bytes, expired ones included.
    func heldBytes(_ store: RecordStore) -> Int {
        store.table.slotsInAccessOrder.reduce(0) { sum, slot in sum + store.table.records(at: slot).reduce(0) { $0 + $1.budgetBytes } }
    }

    func source(_ text: String) -> SubnetKey { SubnetKey(WireEndpoint(ip: IPAddress(text: text)!, port: 4000))! }

    @Test func evictionKeepsTheBudgetAndSparesPinnedAndRecentlyServedKeys() throws {
        let perRecord = try bigRecord(0).budgetBytes
        var store = RecordStore(budget: StoreBudget(maxBytes: perRecord * 20, maxBytesPerSource: .max))
        let own = try bigRecord(9999)
        try store.put(own, at: .zero, now: now)
        store.pinned = [own.address.nodeID]
        let served = try bigRecord(9998)
        try store.put(served, at: .zero, now: now)
        for i in 1...200 {
            try store.put(try bigRecord(i), at: .zero, now: now)
            // A key that keeps being read stays among the most recently accessed.
            _ = store.getAll(served.address.nodeID, recType: 0, now: now)
            #expect(store.byteCount <= perRecord * 20)
            #expect(store.byteCount == heldBytes(store))
        }
        #expect(store.getAll(own.address.nodeID, recType: 0, now: now).map(\.record) == [own])
        #expect(store.getAll(served.address.nodeID, recType: 0, now: now).map(\.record) == [served])
        #expect(store.getAll(try bigRecord(200).address.nodeID, recType: 0, now: now).count == 1, "the newest write is kept")
        #expect(store.getAll(try bigRecord(1).address.nodeID, recType: 0, now: now).isEmpty, "the oldest unread key went")
        #expect(store.evictedForBytes >= 180)
    }

    @Test func aSourceNetworkHoldsAtMostItsShareAndGetsItBackAsRecordsLeave() throws {
        let perRecord = try bigRecord(0).budgetBytes
        var store = RecordStore(budget: StoreBudget(maxBytes: .max, maxBytesPerSource: perRecord * 5))
        let flood = source("198.51.100.7"), other = source("203.0.113.9")
        var accepted: [SignedRecord] = []
        for i in 1...12 {
            let r = try bigRecord(i)
            let result = Result { () throws(StoreError) -> NodeID in try store.put(r, at: .zero, now: now, source: flood) }
            switch result {
            case .success: accepted.append(r)
            case .failure(let e): #expect(e == .overQuota(used: perRecord * 5, limit: perRecord * 5))
            }
        }
        #expect(accepted.count == 5 && store.refusedOverQuota == 7)
        #expect(store.sources.bytes(of: flood) == perRecord * 5)
        // Another network is not affected; our own puts (no source) never are.
        try store.put(try bigRecord(100), at: .zero, now: now, source: other)
        try store.put(try bigRecord(101), at: .zero, now: now)
        // Replacing, invalidating and expiring give the share back.
        let newer = try SignedRecord.sign(recType: 0x05, payload: [1], seq: 2, timestamp: now, ttl: 600, signer: try StoreFixture.signer(1))
        try store.put(newer, at: .zero, now: now, source: other)
        #expect(store.sources.bytes(of: flood) == perRecord * 4)
        store.invalidate(accepted[1].address.nodeID, recType: 0)
        #expect(store.sources.bytes(of: flood) == perRecord * 3)
        #expect(store.sweepExpired(now: now + 10_000) > 0)
        #expect(store.sources.bytes(of: flood) == 0 && store.byteCount == 0 && heldBytes(store) == 0)
        // Exempt (private, loopback) networks have no SubnetKey and so no quota.
        #expect(SubnetKey(WireEndpoint(ip: IPAddress(text: "10.1.2.3")!, port: 1)) == nil)
    }

    @Test func byteCountMatchesWhatIsHeldThroughRandomOperations() throws {
        var rng = SplitMix64(seed: 42)
        var store = RecordStore(maxKeys: 30, budget: StoreBudget(maxBytes: 40_000, maxBytesPerSource: 12_000))
        let sources = ["198.51.100.1", "198.51.100.200", "203.0.113.5"].map(source)
        for step in 0..<2000 {
            let signer = Int(rng.next() % 60)
            switch rng.next() % 6 {
            case 0: store.invalidate(try bigRecord(signer).address.nodeID, recType: 0)
            case 1: _ = store.sweepExpired(now: now + rng.next() % 700)
            default:
                let r = try SignedRecord.sign(recType: 0x05, payload: [UInt8](repeating: 1, count: Int(rng.next() % 600)),
                                              seq: UInt64(step), timestamp: now, ttl: UInt32(rng.next() % 600 + 1),
                                              signer: try StoreFixture.signer(signer))
                _ = try? store.put(r, at: .zero, now: now, source: rng.next() % 4 == 0 ? nil : sources[Int(rng.next() % 3)])
            }
            #expect(store.byteCount == heldBytes(store))
            for s in sources { #expect(store.sources.bytes(of: s) <= 12_000) }
        }
    }
}
