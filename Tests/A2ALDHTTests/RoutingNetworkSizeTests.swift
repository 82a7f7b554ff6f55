import Testing
import A2ALCore
import A2ALProtocol
@testable import A2ALDHT

@Suite struct RoutingNetworkSizeTests {
    @Test func emptyTable() {
        let t = RoutingFixture.table()
        #expect(t.estimatedNetworkSize() == 0)
        #expect(t.estimatedNetworkSizeFiltered(cutoff: nil) == (0, 0))
    }

    @Test func upperMedianOfNearestFiveBuckets() {
        var t = RoutingFixture.table()
        // Buckets 0…5 with 1…6 verified entries: bucket c gives (c+1)·2^(c+1).
        for c: UInt8 in 0...5 {
            for tail in 1...(c + 1) {
                _ = t.add(RoutingFixture.contact(RoutingFixture.id(0x80 >> c, tail)), verifiedAt: .zero, learnedFrom: nil, now: .zero)
            }
        }
        // Samples from buckets 5…1: 384, 160, 64, 24, 8 → sorted median 64.
        let result = t.estimatedNetworkSizeFiltered(cutoff: nil)
        #expect(result.estimate == 64)
        #expect(result.confidence == 1.0)
        #expect(t.estimatedNetworkSize() == 64)
    }

    @Test func hearsayFallback() {
        var t = RoutingFixture.table()
        for tail: UInt8 in 1...3 {
            _ = t.add(RoutingFixture.contact(RoutingFixture.id(0x40, tail)), verifiedAt: nil, learnedFrom: nil, now: .zero)
        }
        #expect(t.estimatedNetworkSizeFiltered(cutoff: nil).estimate == 0)
        #expect(t.estimatedNetworkSize() == 12)   // 3 · 2^2
    }

    @Test func cutoffIsStrict() {
        var t = RoutingFixture.table()
        _ = t.add(RoutingFixture.contact(RoutingFixture.id(0x80, 1)), verifiedAt: RoutingFixture.tick(seconds: 10), learnedFrom: nil, now: .zero)
        #expect(t.estimatedNetworkSizeFiltered(cutoff: RoutingFixture.tick(seconds: 10)).estimate == 0)
        #expect(t.estimatedNetworkSizeFiltered(cutoff: RoutingFixture.tick(seconds: 9)).estimate == 2)
    }

    @Test func hugeCountsSaturate() {
        var rng = RoutingTestRandom(seed: 77)
        var t = RoutingTable(selfID: .zero, limits: .unlimited)
        for bucket in [100, 150, 200] {
            for _ in 0..<NodeConstants.k {
                _ = t.add(RoutingFixture.contact(RoutingFixture.id(inBucket: bucket, of: .zero, using: &rng)), verifiedAt: .zero,
                          learnedFrom: nil, now: .zero)
            }
        }
        #expect(t.estimatedNetworkSize() == Int.max)
        #expect(t.estimatedNetworkSizeFiltered(cutoff: nil) == (Int.max, 0.6))
        #expect(RoutingTable.scaledSample(1, bucket: 255) == 1 << 62)
        #expect(RoutingTable.scaledSample(2, bucket: 61) == Int.max)
        #expect(RoutingTable.scaledSample(16, bucket: 57) == 16 << 58)
        #expect(RoutingTable.scaledSample(16, bucket: 58) == Int.max)
        var gossip = RoutingTable(selfID: .zero, limits: .unlimited)
        for _ in 0..<4 {
            _ = gossip.add(RoutingFixture.contact(RoutingFixture.id(inBucket: 250, of: .zero, using: &rng)), verifiedAt: nil,
                           learnedFrom: nil, now: .zero)
        }
        #expect(gossip.estimatedNetworkSize() == Int.max)
    }

    @Test func debugRows() {
        var t = RoutingFixture.table()
        let address = Address.ed25519(publicKey: [UInt8](repeating: 3, count: 32))
        let now = RoutingFixture.tick(seconds: 100)
        _ = t.add(Contact(nodeID: address.nodeID, address: address, endpoint: RoutingFixture.endpoint("1.2.3.4", 4000)),
                  verifiedAt: RoutingFixture.tick(seconds: 98.5), learnedFrom: nil, now: now)
        _ = t.add(Contact(nodeID: RoutingFixture.id(0x80, 1)), verifiedAt: nil, learnedFrom: nil, now: now)
        _ = t.add(RoutingFixture.contact(RoutingFixture.id(0x40, 1), ip: "2001:db8::1", port: 7), verifiedAt: RoutingFixture.tick(seconds: 98.6),
                  learnedFrom: nil, now: now)
        let rows = t.debugRows(now: now)
        #expect(rows.count == 3)
        let hearsay = rows.first { $0.nodeIDHex == RoutingFixture.id(0x80, 1).bytes.hex }
        #expect(hearsay?.bucket == 0)
        #expect(hearsay?.ip == "")
        #expect(hearsay?.port == 0)
        #expect(hearsay?.addressHex == "")
        #expect(hearsay?.verifiedAgoSeconds == nil)
        #expect(hearsay?.distanceHex == RoutingFixture.id(0x80, 1).bytes.hex)
        let full = rows.first { $0.nodeIDHex == address.nodeID.bytes.hex }
        #expect(full?.addressHex == address.bytes.hex)
        #expect(full?.ip == "1.2.3.4")
        #expect(full?.port == 4000)
        #expect(full?.verifiedAgoSeconds == 2)   // 1.5 s rounds up
        let v6 = rows.first { $0.bucket == 1 }
        #expect(v6?.ip == "2001:db8::1")
        #expect(v6?.verifiedAgoSeconds == 1)     // 1.4 s rounds down
        #expect(rows.map(\.bucket) == rows.map(\.bucket).sorted())
    }
}
