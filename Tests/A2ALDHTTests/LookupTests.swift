import A2ALCore
import A2ALProtocol
import Testing
@testable import A2ALDHT

/// Iterative lookups over a 120-node in-memory network.
@Suite(.serialized) struct LookupTests {
    @Test func lookupFindsTheTrueClosestNodes() async throws {
        try await withCluster(TestCluster(size: 120), joined: true) { c in
            for q in [5, 60, 119] {
                let target = NodeID.random()
                let found = await c.nodes[q].lookup(target).map(\.nodeID)
                let truth = c.nodes.map(\.nodeID).filter { $0 != c.nodes[q].nodeID }
                    .sorted { $0.distance(to: target) < $1.distance(to: target) }.prefix(16)
                #expect(found.count == 16)
                // Convergence finds (nearly) the exact K closest; allow one miss for hearsay gaps.
                #expect(Set(found).intersection(truth).count >= 15)
                #expect(found == found.sorted { $0.distance(to: target) < $1.distance(to: target) })
            }
        }
    }

    @Test func everyRecordResolvesFromAnywhere() async throws {
        try await withCluster(TestCluster(size: 80), joined: true) { c in
            let now = c.clock.unixSeconds()
            // Each publisher stores its endpoint record at the K nodes closest to its ID.
            for p in 0..<80 {
                let rec = try endpointRecord(c.keys[p], now: now, endpoint: "quic://10.9.0.\(p):4433")
                let holders = await c.nodes[p].lookup(c.nodes[p].nodeID)
                for h in holders {
                    _ = try? await c.nodes[p].storeAt(.udp(h.endpoint), expectedID: h.nodeID, key: .zero, record: rec,
                                                      timeout: .seconds(10), attempts: 1)
                }
            }
            var resolved = 0
            for p in 0..<80 {
                let q = (p * 37 + 11) % 80
                guard q != p else { continue }
                let r = try await c.nodes[q].resolve(c.nodes[p].address)
                #expect(r.payload.endpoints == ["quic://10.9.0.\(p):4433"])
                resolved += 1
            }
            #expect(resolved == 80)  // (p * 37 + 11) % 80 never equals p
            await #expect(throws: DHTError.noEndpoint) {
                try await c.nodes[3].resolve(Ed25519.KeyPair.generate().address, timeout: .seconds(5))
            }
        }
    }

    @Test func aggregateCollectsEveryPublisherOfATopic() async throws {
        try await withCluster(TestCluster(size: 60), joined: true) { c in
            let now = c.clock.unixSeconds()
            let key = TopicKey.key(for: "lang.translate")
            let holders = await c.nodes[0].lookup(key)
            for p in 10..<30 {
                let payload = TopicPayload(topic: "lang.translate", name: "agent-\(p)", brief: "translates").encoded
                let rec = try SignedRecord.sign(recType: RecordType.topic, payload: payload,
                                                seq: UInt64(p), timestamp: now, ttl: 600, signer: c.keys[p])
                for h in holders.prefix(8) {
                    _ = try? await c.nodes[p].storeAt(.udp(h.endpoint), expectedID: h.nodeID, key: key, record: rec,
                                                      timeout: .seconds(10), attempts: 1)
                }
            }
            for q in [1, 45, 59] {
                let found = try await c.nodes[q].aggregateRecords(key, recType: RecordType.topic)
                #expect(Set(found.map(\.address)) == Set((10..<30).map { c.nodes[$0].address }))
            }
        }
    }
}
