import A2ALCore
import A2ALDHT
import A2ALProtocol
import Synchronization
import A2ALTestSupport
import Testing
@testable import A2ALUDP

/// One-shot push subscriptions over real loopback UDP (docs/protocol.md, "One-shot push
/// subscriptions"): a v0.2.x-style watcher subscribes at our node, and the record a third node
/// STOREs there arrives as a DHT_PUSH without the watcher asking again.
@Suite struct PushOverUDPTests {
    final class Pushed: Sendable { let records = Mutex<[(NodeID, SignedRecord)]>([]) }

    func makeNode(profile: WireProfile, events: NodeEvents = NodeEvents()) async throws -> (DHTNode, Ed25519.KeyPair) {
        let key = Ed25519.KeyPair.generate()
        let store = MemoryKeyStore()
        _ = try store.add(key)
        let transport = try await UDPTransport.bind(host: "127.0.0.1", port: 0)
        let node = try DHTNode(config: .init(transport: transport, keyStore: store, events: events, wireProfile: profile))
        try await node.start()
        return (node, key)
    }

    @Test func aStoredRecordIsPushedToTheWatcher() async throws {
        let pushed = Pushed()
        let (watcher, _) = try await makeNode(profile: .v029, events: NodeEvents(recordPushed: { record, _ in
            pushed.records.withLock { $0.append((record.key, record.record)) }
        }))
        let (holder, _) = try await makeNode(profile: .current)
        let (publisher, publisherKey) = try await makeNode(profile: .current)
        let key = TopicKey.key(for: "udp.push")
        func topic(_ seq: UInt64) throws -> SignedRecord {
            try SignedRecord.sign(recType: RecordType.topic, payload: TopicPayload(topic: "udp.push", name: "n\(seq)").encoded,
                                  seq: seq, timestamp: SystemClock().unixSeconds(), ttl: 600, signer: publisherKey)
        }
        try holder.localPut(try topic(1), at: key)
        watcher.watch(key)
        let answer = try await watcher.findValue(at: holder.localAddress, expectedID: holder.nodeID, key: key, timeout: .seconds(5))
        #expect(answer.records.count == 1)
        #expect(holder.wireGeneration(of: watcher.nodeID) == .v024)

        let txBefore = watcher.debugStats().txPackets
        let record = try topic(2)
        #expect(try await publisher.storeAt(holder.localAddress, key: key, record: record, timeout: .seconds(5), attempts: 1) == .stored)
        try await waitUntil { !pushed.records.withLock { $0.isEmpty } }
        let got = pushed.records.withLock { $0 }
        #expect(got.count == 1 && got.first?.0 == key && got.first?.1 == record)
        // The ACK leaves after the push is delivered (with the rest of its batch's replies) and
        // is counted once sent: once the holder has it and the watcher counted a datagram, that
        // must be the only one since the STORE, so the record came by push, not a poll.
        try await waitUntil { holder.debugStats().push.acknowledged == 1 && watcher.debugStats().txPackets > txBefore }
        #expect(watcher.debugStats().txPackets == txBefore + 1)
        #expect(holder.debugStats().push.subscribers == 1, "the watcher renewed")
        await watcher.close()
        await holder.close()
        await publisher.close()
    }
}
