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

/// Inbound datagrams are read and handled by several threads, each reading the socket itself
/// (docs/architecture.md, "Inbound workers"). What is observed is counters, never timing.
@Suite(.serialized) struct InboundWorkersTests {
    /// A node on two readers answers a burst of signed PINGs from many sources: every PING gets
    /// its PONG, and both readers handled some (a datagram wakes every sleeping reader, and one
    /// answer takes a verify and a sign, so one reader cannot drain a burst of 128 alone before
    /// the other is running). The burst stays well inside a default kernel receive buffer
    /// (`net.core.rmem_max` 212,992 bytes held 332 datagrams of 200 bytes), since the socket is
    /// now the only queue and a ThreadSanitizer build answers slowly.
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
                let client = try await UDPTransport.bind(host: "127.0.0.1", group: group, inboundWorkers: 1)
                try await client.start { datagram, _ in
                    if case .pong = try? Packet.decode(datagram).body { pongs.add(1, ordering: .relaxed) }
                }
                clients.append(client)
            }
            let perClient = 8
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
            #expect(stats.kernelDrops == 0)
            #expect(node.debugStats().rxPacketsVerified == UInt64(expected))
        }
    }

    /// A reader held in a slow handler holds up nothing else: there is no queue per reader or
    /// per source, so the other reader takes what arrives meanwhile, from the same source too.
    @Test(.timeLimit(.minutes(1))) func aHeldReaderLeavesTheSocketToTheOthers() async throws {
        try await withHeldReceiver(readers: 2) { receiver, sender, release in
            let held = Atomic<Int>(0)
            let others = Atomic<Int>(0)
            try await receiver.start { datagram, _ in
                guard datagram == [0xFF] else {
                    others.add(1, ordering: .relaxed)
                    return
                }
                held.add(1, ordering: .relaxed)
                while !release.isOpen { usleep(1_000) }
            }
            try sender.send([0xFF], to: receiver.localAddress)
            try await waitUntil { held.load(ordering: .relaxed) == 1 }
            for i in 0..<20 { try sender.send([UInt8(i)], to: receiver.localAddress) }
            try await waitUntil { others.load(ordering: .relaxed) == 20 }
            #expect(release.isOpen == false, "answered while one reader was held")
            let perReader = receiver.stats.deliveredPerWorker
            #expect(perReader.sorted() == [1, 20], "per reader: \(perReader)")
        }
    }

    /// What waits while a reader is busy is handed over in batches of at most
    /// `ReaderThread.maxBatch`, in arrival order, each datagram once.
    @Test(.timeLimit(.minutes(1))) func whatWaitedIsHandedOverInBatchesInOrder() async throws {
        try await withHeldReceiver(readers: 1) { receiver, sender, release in
            let batches = Mutex<[[UInt8]]>([])
            try await receiver.startBatches { batch in
                batches.withLock { $0.append(batch.map { $0.bytes.first ?? 0 }) }
                guard batch.first?.bytes == [0xFF] else { return }
                while !release.isOpen { usleep(1_000) }
            }
            try sender.send([0xFF], to: receiver.localAddress)
            try await waitUntil { batches.withLock { $0.count } == 1 }
            // Loopback queues each datagram on the receiving socket before `send` returns.
            for i in 0..<20 { try sender.send([UInt8(i)], to: receiver.localAddress) }
            release.open()
            try await waitUntil { batches.withLock { $0.joined().count } == 21 }
            let all = batches.withLock { $0 }
            #expect(all.first == [0xFF])
            let later = all.dropFirst()
            #expect(later.joined().map { Int($0) } == Array(0..<20), "arrival order: \(later)")
            #expect(later.allSatisfy { $0.count <= ReaderThread.maxBatch }, "batches: \(later.map(\.count))")
            #expect(later.contains { $0.count > 1 }, "the 20 that waited came one at a time: \(later.map(\.count))")
            let stats = receiver.stats
            #expect(stats.batches == UInt64(all.count))
            #expect(stats.received == 21)
        }
    }

    /// Lets go of handlers that hold their reader until it opens.
    final class Gate: Sendable {
        private let opened = Atomic<Bool>(false)
        var isOpen: Bool { opened.load(ordering: .relaxed) }
        func open() { opened.store(true, ordering: .relaxed) }
    }

    /// A loopback receiver with `readers` readers and a sender, closed after `body`; the gate
    /// opens before they close, since a held reader would keep close waiting for it.
    private func withHeldReceiver(readers: Int,
                                  _ body: (UDPTransport, UDPTransport, Gate) async throws -> Void) async throws {
        let receiver = try await UDPTransport.bind(host: "127.0.0.1", inboundWorkers: readers)
        let sender = try await UDPTransport.bind(host: "127.0.0.1", inboundWorkers: 1)
        let release = Gate()
        try await withClosing([receiver, sender], close: { transports in
            release.open()
            for t in transports { await t.close() }
        }) { _ in try await body(receiver, sender, release) }
    }

    /// One reader: it hands every datagram to the handler; asking for none still starts one.
    @Test func oneReaderDeliversEverything() async throws {
        let receiver = try await UDPTransport.bind(host: "127.0.0.1", inboundWorkers: 0)
        let sender = try await UDPTransport.bind(host: "127.0.0.1", inboundWorkers: 1)
        try await withClosing([receiver, sender], close: { for t in $0 { await t.close() } }) { _ in
            let delivered = Atomic<Int>(0)
            try await receiver.start { _, _ in delivered.add(1, ordering: .relaxed) }
            for i in 0..<10 { try sender.send([UInt8(i)], to: receiver.localAddress) }
            try await waitUntil { delivered.load(ordering: .relaxed) == 10 }
            #expect(receiver.stats.inboundWorkers == 1)
            #expect(receiver.stats.deliveredPerWorker == [10])
        }
        #expect(receiver.stats.inboundWorkers == 0, "its thread stopped at close")
    }
}
