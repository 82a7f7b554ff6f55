import A2ALProtocol
@testable import A2ALSimulation
import Synchronization
import Testing
@testable import A2ALDHT

/// Records what a transport receives, with the clock time of each arrival.
private final class Inbox: Sendable {
    struct Arrival: Sendable, Equatable {
        let datagram: [UInt8]
        let from: PeerAddress
        let at: Tick
    }

    private let arrivals = Mutex<[Arrival]>([])
    private let clock: any NodeClock

    init(clock: any NodeClock) { self.clock = clock }

    var handler: @Sendable ([UInt8], PeerAddress) -> Void {
        { [self] datagram, from in
            let now = clock.now()
            arrivals.withLock { $0.append(Arrival(datagram: datagram, from: from, at: now)) }
        }
    }

    var all: [Arrival] { arrivals.withLock { $0 } }
    var count: Int { arrivals.withLock { $0.count } }
}

private func started(_ network: MemoryNetwork, _ name: String, clock: any NodeClock) async throws -> (MemoryTransport, Inbox) {
    let transport = try network.makeTransport(name: name)
    let inbox = Inbox(clock: clock)
    try await transport.start(inbox.handler)
    return (transport, inbox)
}

private func payload(_ n: Int) -> [UInt8] {
    [UInt8(truncatingIfNeeded: n >> 24), UInt8(truncatingIfNeeded: n >> 16),
     UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n)]
}

private func number(_ bytes: [UInt8]) -> Int {
    bytes.prefix(4).reduce(0) { $0 << 8 | Int($1) }
}

@Suite struct MemoryNetworkDeliveryTests {
    @Test func nothingArrivesBeforeTheLatencyAndEverythingAfter() async throws {
        let clock = ManualClock()
        let network = MemoryNetwork(clock: clock, config: .init(oneWayLatency: .milliseconds(50), seed: 1))
        let (a, _) = try await started(network, "a", clock: clock)
        let (_, inboxB) = try await started(network, "b", clock: clock)

        for i in 0..<10 { try a.send(payload(i), to: .memory("b")) }
        await network.settle()
        #expect(inboxB.count == 0)

        clock.advance(by: .milliseconds(49))
        await network.settle()
        #expect(inboxB.count == 0)

        clock.advance(by: .milliseconds(1))
        await network.settle()
        let arrivals = inboxB.all
        #expect(arrivals.count == 10)
        #expect(arrivals.allSatisfy { $0.from == .memory("a") && $0.at == Tick.zero + .milliseconds(50) })
        #expect(arrivals.map { number($0.datagram) } == Array(0..<10))
        #expect(network.stats.delivered == 10)
        #expect(network.stats.queued == 0)
    }

    @Test func zeroLatencyDeliveryNeverReentersAHandler() async throws {
        let clock = ManualClock()
        let network = MemoryNetwork(clock: clock, config: .init(seed: 1))
        let transport = try network.makeTransport(name: "echo")
        let depth = Mutex(0)
        let maxDepth = Mutex(0)
        let received = Mutex(0)
        let bounces = 100
        try await transport.start { datagram, _ in
            let d = depth.withLock { $0 += 1; return $0 }
            maxDepth.withLock { $0 = max($0, d) }
            let n = received.withLock { $0 += 1; return $0 }
            // Replying from inside the handler must queue, not call back into this handler.
            if n < bounces { try? transport.send(datagram, to: .memory("echo")) }
            depth.withLock { $0 -= 1 }
        }
        try transport.send([1], to: .memory("echo"))
        await network.drain()
        #expect(received.withLock { $0 } == bounces)
        #expect(maxDepth.withLock { $0 } == 1)
        // The handler holds the transport (it replies through it), and the network's registry
        // holds the handler: closing breaks that cycle, so the network, its scheduler task and
        // the transport are freed (LeakSanitizer reports them otherwise; scripts/sanitizers.sh).
        await transport.close()
    }

    @Test func jitterStaysWithinItsBoundsAndSpreadsArrivals() async throws {
        let clock = ManualClock()
        let config = MemoryNetwork.Config(oneWayLatency: .milliseconds(10), jitter: .milliseconds(20), seed: 99)
        let network = MemoryNetwork(clock: clock, config: config)
        let (a, _) = try await started(network, "a", clock: clock)
        let (_, inboxB) = try await started(network, "b", clock: clock)
        let count = 500
        for i in 0..<count { try a.send(payload(i), to: .memory("b")) }

        clock.advance(by: .nanoseconds(9_999_999))
        await network.settle()
        #expect(inboxB.count == 0)
        for _ in 0...20 {
            clock.advance(by: .milliseconds(1))
            await network.settle()
        }
        let arrivals = inboxB.all
        #expect(arrivals.count == count)
        let low = Tick.zero + .milliseconds(10), high = Tick.zero + .milliseconds(30)
        #expect(arrivals.allSatisfy { $0.at >= low && $0.at <= high })
        #expect(Set(arrivals.map(\.at)).count >= 15)
        // Jitter reorders: arrival order is by deadline, not by send order.
        #expect(arrivals.map { number($0.datagram) } != Array(0..<count))
    }

    @Test func lossRateIsNearTheConfiguredValue() async throws {
        let clock = ManualClock()
        let network = MemoryNetwork(clock: clock, config: .init(lossRate: 0.3, seed: 42))
        let (a, _) = try await started(network, "a", clock: clock)
        let (_, inboxB) = try await started(network, "b", clock: clock)
        let count = 10_000
        for i in 0..<count { try a.send(payload(i), to: .memory("b")) }
        await network.drain()
        let stats = network.stats
        #expect(stats.sent == UInt64(count))
        #expect(stats.delivered + stats.dropped == UInt64(count))
        #expect(Int(stats.delivered) == inboxB.count)
        // Binomial(10000, 0.3): sd ≈ 46, so ±300 is more than six standard deviations.
        #expect((2_700...3_300).contains(Int(stats.dropped)))
    }

    @Test func theSameSeedReplaysTheSameLossesAndDelays() async throws {
        func run(seed: UInt64) async throws -> [Inbox.Arrival] {
            let clock = ManualClock()
            let config = MemoryNetwork.Config(oneWayLatency: .milliseconds(5), jitter: .milliseconds(10),
                                              lossRate: 0.25, seed: seed)
            let network = MemoryNetwork(clock: clock, config: config)
            let (a, _) = try await started(network, "a", clock: clock)
            let (_, inboxB) = try await started(network, "b", clock: clock)
            for i in 0..<300 { try a.send(payload(i), to: .memory("b")) }
            for _ in 0..<16 {
                clock.advance(by: .milliseconds(1))
                await network.settle()
            }
            return inboxB.all
        }
        let first = try await run(seed: 7)
        let second = try await run(seed: 7)
        let other = try await run(seed: 8)
        #expect(first.count > 150)
        #expect(first == second)
        #expect(first != other)
    }

    @Test func datagramsDueAtTheSameInstantArriveInSendOrder() async throws {
        let clock = ManualClock()
        let network = MemoryNetwork(clock: clock, config: .init(oneWayLatency: .milliseconds(5), seed: 3))
        let (a, _) = try await started(network, "a", clock: clock)
        let (c, _) = try await started(network, "c", clock: clock)
        let (_, inboxB) = try await started(network, "b", clock: clock)
        for i in 0..<200 { try (i.isMultiple(of: 2) ? a : c).send(payload(i), to: .memory("b")) }
        clock.advance(by: .milliseconds(5))
        await network.settle()
        #expect(inboxB.all.map { number($0.datagram) } == Array(0..<200))
    }

    @Test func anEarlierDeadlineWakesTheSchedulerFromALongerSleep() async throws {
        let clock = ManualClock()
        let network = MemoryNetwork(clock: clock, config: .init(oneWayLatency: .seconds(10), seed: 3))
        let (a, _) = try await started(network, "a", clock: clock)
        let (_, inboxB) = try await started(network, "b", clock: clock)
        try a.send([1], to: .memory("b"))
        await network.settle()
        network.setConfig(.init(oneWayLatency: .milliseconds(1), seed: 3))
        try a.send([2], to: .memory("b"))
        clock.advance(by: .milliseconds(1))
        await network.settle()
        #expect(inboxB.all.map(\.datagram) == [[2]])
        clock.advance(by: .seconds(10))
        await network.settle()
        #expect(inboxB.all.map(\.datagram) == [[2], [1]])
    }
}

@Suite struct MemoryNetworkReachabilityTests {
    @Test func blockedPairsDropBothWaysUntilUnblocked() async throws {
        let clock = ManualClock()
        let network = MemoryNetwork(clock: clock, config: .init(oneWayLatency: .milliseconds(1), seed: 5))
        let (a, inboxA) = try await started(network, "a", clock: clock)
        let (b, inboxB) = try await started(network, "b", clock: clock)
        let (_, inboxC) = try await started(network, "c", clock: clock)

        network.block("a", "b")
        try a.send([1], to: .memory("b"))
        try b.send([2], to: .memory("a"))
        try a.send([3], to: .memory("c"))
        clock.advance(by: .milliseconds(1))
        await network.settle()
        #expect(inboxA.count == 0 && inboxB.count == 0 && inboxC.count == 1)
        #expect(network.stats.droppedPartitioned == 2)

        // A partition also catches datagrams already in flight.
        network.unblock("b", "a")
        try a.send([4], to: .memory("b"))
        network.block("b", "a")
        clock.advance(by: .milliseconds(1))
        await network.settle()
        #expect(inboxB.count == 0)
        #expect(network.stats.droppedPartitioned == 3)

        network.unblockAll()
        try a.send([5], to: .memory("b"))
        clock.advance(by: .milliseconds(1))
        await network.settle()
        #expect(inboxB.all.map(\.datagram) == [[5]])
    }

    @Test func closedAndUnknownReceiversDropSilently() async throws {
        let clock = ManualClock()
        let network = MemoryNetwork(clock: clock, config: .init(oneWayLatency: .milliseconds(1), seed: 5))
        let (a, _) = try await started(network, "a", clock: clock)
        let (b, inboxB) = try await started(network, "b", clock: clock)

        try a.send([1], to: .memory("b"))
        await b.close()
        try a.send([2], to: .memory("b"))
        try a.send([3], to: .memory("nobody"))
        clock.advance(by: .milliseconds(1))
        await network.settle()
        #expect(inboxB.count == 0)
        #expect(network.stats.droppedUnreachable == 3)

        // The name is free again: a restarted node can take it.
        let (_, inboxB2) = try await started(network, "b", clock: clock)
        try a.send([4], to: .memory("b"))
        clock.advance(by: .milliseconds(1))
        await network.settle()
        #expect(inboxB2.all.map(\.datagram) == [[4]])
    }

    @Test func aTransportThatHasNotStartedDropsArrivals() async throws {
        let clock = ManualClock()
        let network = MemoryNetwork(clock: clock, config: .init(seed: 5))
        let (a, _) = try await started(network, "a", clock: clock)
        _ = try network.makeTransport(name: "quiet")
        try a.send([1], to: .memory("quiet"))
        await network.drain()
        #expect(network.stats.droppedUnreachable == 1)
    }

    @Test func statsAddUp() async throws {
        let clock = ManualClock()
        let network = MemoryNetwork(clock: clock, config: .init(oneWayLatency: .milliseconds(2), lossRate: 0.1, seed: 11))
        let (a, _) = try await started(network, "a", clock: clock)
        _ = try await started(network, "b", clock: clock)
        network.block("a", "c")
        _ = try await started(network, "c", clock: clock)
        for i in 0..<300 { try a.send(payload(i), to: .memory(["b", "c", "gone"][i % 3])) }
        var s = network.stats
        #expect(s.sent == s.delivered + s.dropped + s.droppedUnreachable + s.droppedPartitioned + s.queued)
        #expect(s.queued > 0)
        clock.advance(by: .milliseconds(2))
        await network.settle()
        s = network.stats
        #expect(s.queued == 0)
        #expect(s.sent == 300)
        #expect(s.sent == s.delivered + s.dropped + s.droppedUnreachable + s.droppedPartitioned)
        #expect(s.droppedPartitioned > 0 && s.droppedUnreachable > 0 && s.dropped > 0 && s.delivered > 0)
    }
}

@Suite struct MemoryTransportContractTests {
    @Test func sendChecksSizeAddressKindAndClosedState() async throws {
        let clock = ManualClock()
        let network = MemoryNetwork(clock: clock)
        let a = try network.makeTransport(name: "a")
        #expect(a.localAddress == .memory("a"))

        #expect(throws: TransportError.packetTooLarge(1201)) {
            try a.send([UInt8](repeating: 0, count: 1201), to: .memory("b"))
        }
        try a.send([UInt8](repeating: 0, count: 1200), to: .memory("b"))

        // A .udp destination goes to the transport named by that endpoint (none here: dropped).
        let udp = PeerAddress.udp(WireEndpoint(ip: IPAddress(ipv4: 0x7f00_0001), port: 4000))
        try a.send([1], to: udp)

        await a.close()
        await a.close()
        #expect(throws: TransportError.closed) { try a.send([1], to: .memory("b")) }
        await #expect(throws: TransportError.closed) { try await a.start { _, _ in } }
        #expect(network.stats.sent == 2)
    }

    @Test func endpointNamedTransportsLookLikeUDP() async throws {
        let clock = ManualClock()
        let network = MemoryNetwork(clock: clock)
        let ea = WireEndpoint(ip: IPAddress(text: "10.0.0.1")!, port: 4000)
        let eb = WireEndpoint(ip: IPAddress(text: "10.0.0.2")!, port: 4001)
        let a = try network.makeTransport(endpoint: ea)
        let b = try network.makeTransport(endpoint: eb)
        #expect(a.localAddress == .udp(ea))
        let got = Mutex<[(bytes: [UInt8], from: PeerAddress)]>([])
        try await b.start { bytes, from in got.withLock { $0.append((bytes, from)) } }
        try a.send([7], to: .udp(eb))
        await network.settle()
        let received = got.withLock { $0 }
        #expect(received.count == 1 && received.first?.from == .udp(ea))
        #expect(throws: MemoryNetworkError.nameInUse("10.0.0.1:4000")) { try network.makeTransport(endpoint: ea) }
        await a.close()
        await b.close()
    }

    @Test func namesAreUniqueAndStartIsOnce() async throws {
        let network = MemoryNetwork(clock: ManualClock())
        let a = try network.makeTransport(name: "a")
        #expect(throws: MemoryNetworkError.nameInUse("a")) { _ = try network.makeTransport(name: "a") }
        try await a.start { _, _ in }
        await #expect(throws: MemoryNetworkError.alreadyStarted("a")) { try await a.start { _, _ in } }
    }

    @Test func theNetworkIsFreedWhenNothingUsesIt() async throws {
        weak var weakNetwork: MemoryNetwork?
        do {
            let network = MemoryNetwork(clock: SystemClock(), config: .init(oneWayLatency: .seconds(60), seed: 1))
            weakNetwork = network
            let a = try network.makeTransport(name: "a")
            try await a.start { _, _ in }
            try a.send([1], to: .memory("a"))
            await a.close()
        }
        #expect(weakNetwork == nil)
    }
}

@Suite struct MemoryNetworkScaleTests {
    @Test func aThousandTransportsExchangePingsAndPongs() async throws {
        let clock = ManualClock()
        let network = MemoryNetwork(clock: clock, config: .init(oneWayLatency: .milliseconds(3), jitter: .milliseconds(2), seed: 2024))
        let nodeCount = 1_000
        let pongs = Mutex(0)
        var transports: [MemoryTransport] = []
        for i in 0..<nodeCount {
            let transport = try network.makeTransport(name: "node-\(i)")
            try await transport.start { datagram, from in
                if datagram.first == 0 {
                    try? transport.send([1] + datagram.dropFirst(), to: from)
                } else {
                    pongs.withLock { $0 += 1 }
                }
            }
            transports.append(transport)
        }
        for (i, transport) in transports.enumerated() {
            for step in [1, 7, 331] {
                try transport.send([0] + payload(i), to: .memory("node-\((i + step) % nodeCount)"))
            }
        }
        for _ in 0..<10 {
            clock.advance(by: .milliseconds(1))
            await network.settle()
        }
        #expect(pongs.withLock { $0 } == 3 * nodeCount)
        #expect(network.stats.delivered == UInt64(6 * nodeCount))
        for transport in transports { await transport.close() }
    }

    @Test func realClockDeliveryDrainsWithoutATaskPerDatagram() async throws {
        let clock = SystemClock()
        let network = MemoryNetwork(clock: clock, config: .init(oneWayLatency: .milliseconds(2), jitter: .milliseconds(3), seed: 9))
        let nodeCount = 200
        let received = Mutex(0)
        var transports: [MemoryTransport] = []
        for i in 0..<nodeCount {
            let transport = try network.makeTransport(name: "n\(i)")
            try await transport.start { _, _ in received.withLock { $0 += 1 } }
            transports.append(transport)
        }
        for (i, transport) in transports.enumerated() {
            for step in 1...10 { try transport.send(payload(i), to: .memory("n\((i + step) % nodeCount)")) }
        }
        await network.drain()
        #expect(received.withLock { $0 } == 10 * nodeCount)
        #expect(network.stats.queued == 0)
    }
}

@Suite struct SplitMix64Tests {
    @Test func boundedDrawsStayInRangeAndCoverIt() {
        var rng = SplitMix64(seed: 1)
        var seen = Set<UInt64>()
        for _ in 0..<1_000 {
            let v = rng.next(upTo: 9)
            #expect(v <= 9)
            seen.insert(v)
        }
        #expect(seen.count == 10)
        var unit = SplitMix64(seed: 2)
        for _ in 0..<1_000 {
            let d = unit.nextUnitInterval()
            #expect(d >= 0 && d < 1)
        }
    }

    @Test func heapPopsInDeadlineThenSequenceOrder() {
        var queue = ScheduledDatagramQueue()
        var rng = SplitMix64(seed: 3)
        for seq in 0..<500 {
            let at = Tick(nanoseconds: Int64(rng.next(upTo: 20)))
            queue.push(ScheduledDatagram(deliverAt: at, sequence: UInt64(seq), datagram: [], from: "", to: ""))
        }
        var due: [ScheduledDatagram] = []
        queue.popDue(now: Tick(nanoseconds: 10), into: &due)
        queue.popDue(now: Tick(nanoseconds: 20), into: &due)
        #expect(due.count == 500 && queue.isEmpty)
        for (x, y) in zip(due, due.dropFirst()) { #expect(x < y) }
    }
}
