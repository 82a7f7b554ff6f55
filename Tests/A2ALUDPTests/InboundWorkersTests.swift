#if canImport(Glibc)
import Glibc
#endif
import A2ALCore
import A2ALDHT
import A2ALProtocol
import A2ALTestSupport
import NIOPosix
import Synchronization
import Testing
@testable import A2ALUDP

/// Inbound datagrams are handled on several worker threads, each with a bounded queue
/// (docs/architecture.md, "Inbound workers"). What is observed is counters, never timing.
@Suite(.serialized) struct InboundWorkersTests {
    /// A node on two workers answers a burst of signed PINGs from many sources: every PING gets
    /// its PONG, and both workers handled some (sources are spread by address; 16 sources all
    /// landing on one worker happens once in 2^15 runs).
    @Test(.timeLimit(.minutes(1))) func aBurstFromManySourcesIsAnsweredByBothWorkers() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let keys = MemoryKeyStore()
        _ = try keys.add(Ed25519.KeyPair.generate())
        let serverTransport = try await UDPTransport.bind(host: "127.0.0.1", inboundWorkers: 2)
        let node = try DHTNode(config: .init(transport: serverTransport, keyStore: keys))
        var clients: [UDPTransport] = []
        try await withClosing((), close: { _ in
            await node.close()
            for c in clients { await c.close() }
            try? await group.shutdownGracefully()
        }) { _ in
            try await node.start()
            let pongs = Atomic<Int>(0)
            for _ in 0..<16 {
                let client = try await UDPTransport.bind(host: "127.0.0.1", group: group, inboundWorkers: 0)
                try await client.start { datagram, _ in
                    if case .pong = try? Packet.decode(datagram).body { pongs.add(1, ordering: .relaxed) }
                }
                clients.append(client)
            }
            let perClient = 20
            for client in clients {
                let sender = Ed25519.KeyPair.generate()
                for _ in 0..<perClient {
                    let ping = try Packet.encode(body: .ping(Ping(address: sender.address)), txID: Header.randomTxID(),
                                                 signer: sender)
                    try client.send(ping, to: node.localAddress)
                }
            }
            let expected = clients.count * perClient
            try await waitUntil(seconds: 30) { pongs.load(ordering: .relaxed) == expected }
            let stats = serverTransport.stats
            #expect(stats.inboundWorkers == 2)
            #expect(stats.deliveredPerWorker.count == 2)
            #expect(stats.deliveredPerWorker.allSatisfy { $0 > 0 }, "per worker: \(stats.deliveredPerWorker)")
            #expect(stats.deliveredPerWorker.reduce(0, +) == stats.received)
            #expect(stats.queueDropped == 0)
            #expect(node.debugStats().rxPacketsVerified == UInt64(expected))
        }
    }

    /// A worker whose handler is held fills its queue; what no longer fits is dropped and
    /// counted, and every datagram sent is still accounted for exactly: handed to the handler,
    /// dropped at the full queue, or dropped by the kernel.
    @Test(.timeLimit(.minutes(1))) func aFullQueueDropsAndCounts() async throws {
        let capacity = 4
        let receiver = try await UDPTransport.bind(host: "127.0.0.1", inboundWorkers: 2, inboundQueueCapacity: capacity)
        let release = Atomic<Bool>(false)
        try await withClosing(receiver, close: { r in
            // A held worker would keep close waiting for it.
            release.store(true, ordering: .relaxed)
            await r.close()
        }) { receiver in
            let delivered = Atomic<Int>(0)
            try await receiver.start { _, _ in
                delivered.add(1, ordering: .relaxed)
                while !release.load(ordering: .relaxed) { usleep(1_000) }
            }
            let port = try #require(receiver.localAddress.udp?.port)
            let backlogBefore = DatagramAccountingTests.backlogDrops()
            // One source: every datagram goes to the same worker.
            let sent = DatagramAccountingTests.flood(port: port, count: 2_000)
            let backlog = DatagramAccountingTests.backlogDrops() - backlogBefore
            // The held worker took one batch (at most `capacity`) and at most `capacity` wait
            // behind it: everything else must be dropped and counted while it is held. An
            // unbounded queue never gets there.
            try await waitUntil {
                let s = receiver.stats
                return s.queueDropped + (s.kernelDrops ?? 0) + UInt64(backlog + 2 * capacity) >= UInt64(sent)
            }
            release.store(true, ordering: .relaxed)
            let stats = try await DatagramAccountingTests.awaitAccounting(receiver, sent: sent, backlog: backlog)
            #expect(Int(stats.received) == delivered.load(ordering: .relaxed))
            #expect(stats.received <= UInt64(2 * capacity))
            #expect(stats.queueDropped > 0)
            #expect(stats.statistics.droppedQueueFull == stats.queueDropped)
            #expect(stats.statistics.datagramsReceived == stats.received + stats.queueDropped)
        }
    }

    /// With no workers there is no thread hop: the reader hands datagrams to the handler itself.
    @Test func noWorkersDeliverOnTheReaderThread() async throws {
        let receiver = try await UDPTransport.bind(host: "127.0.0.1", inboundWorkers: 0)
        let sender = try await UDPTransport.bind(host: "127.0.0.1", inboundWorkers: 0)
        try await withClosing([receiver, sender], close: { for t in $0 { await t.close() } }) { _ in
            let delivered = Atomic<Int>(0)
            try await receiver.start { _, _ in delivered.add(1, ordering: .relaxed) }
            for i in 0..<10 { try sender.send([UInt8(i)], to: receiver.localAddress) }
            try await waitUntil { delivered.load(ordering: .relaxed) == 10 }
            #expect(receiver.stats.inboundWorkers == 0)
            #expect(receiver.stats.deliveredPerWorker == [10])
        }
    }
}
