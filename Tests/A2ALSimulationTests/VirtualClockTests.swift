@testable import A2ALSimulation
import A2ALDHT
import Synchronization
import Testing

/// Waits (yielding, not sleeping) until `count` tasks sleep on `clock`: advancing earlier would
/// find a sleeper missing and move time past it.
private func sleepers(_ count: Int, on clock: VirtualClock) async {
    while clock.sleeperCount < count { await Task.yield() }
}

@Suite struct VirtualClockTests {
    @Test func sleepersWakeInDeadlineOrderAtTheirDeadlines() async throws {
        let clock = VirtualClock()
        let (woken, sink) = AsyncStream<(Int, Tick)>.makeStream()
        let deadlines = [30, 10, 20]
        let tasks = deadlines.map { ms in
            Task {
                try await clock.sleep(until: Tick(nanoseconds: Int64(ms) * 1_000_000))
                sink.yield((ms, clock.now()))
            }
        }
        await sleepers(3, on: clock)
        var order: [Int] = []
        var iterator = woken.makeAsyncIterator()
        for _ in deadlines {
            #expect(clock.advanceToNextDeadline())
            guard let (ms, at) = await iterator.next() else { break }
            order.append(ms)
            #expect(at == Tick(nanoseconds: Int64(ms) * 1_000_000))
        }
        #expect(order == [10, 20, 30])
        #expect(!clock.advanceToNextDeadline())
        for t in tasks { try await t.value }
    }

    @Test func aCancelledSleeperNeitherWakesNorHoldsTimeBack() async throws {
        let clock = VirtualClock()
        let early = Task { try await clock.sleep(until: Tick(nanoseconds: 10_000_000)) }
        let late = Task { try await clock.sleep(until: Tick(nanoseconds: 20_000_000)) }
        await sleepers(2, on: clock)
        early.cancel()
        await #expect(throws: CancellationError.self) { try await early.value }
        #expect(clock.advanceToNextDeadline())
        try await late.value
        #expect(clock.now() == Tick(nanoseconds: 20_000_000))
    }

    @Test func resolutionWakesNearbySleepersTogetherAtTheLatestOfThem() async throws {
        let clock = VirtualClock()
        let tasks = [10_000_000, 10_400_000, 12_000_000].map { ns in
            Task { try await clock.sleep(until: Tick(nanoseconds: Int64(ns))) }
        }
        await sleepers(3, on: clock)
        #expect(clock.advanceToNextDeadline(resolution: .microseconds(500)))
        try await tasks[0].value
        try await tasks[1].value
        #expect(clock.now() == Tick(nanoseconds: 10_400_000))
        #expect(clock.sleeperCount == 1)
        #expect(clock.advanceToNextDeadline())
        try await tasks[2].value
    }

    @Test func aMemoryNetworkOnTheVirtualClockDeliversInOrderAfterTheLatency() async throws {
        let clock = VirtualClock()
        let network = MemoryNetwork(clock: clock, config: .init(oneWayLatency: .milliseconds(10), seed: 1))
        let a = try network.makeTransport(name: "a")
        let b = try network.makeTransport(name: "b")
        let (arrivals, sink) = AsyncStream<(UInt8, Tick)>.makeStream()
        try await a.start { _, _ in }
        try await b.start { datagram, _ in sink.yield((datagram.first ?? 0, clock.now())) }
        for i in 0..<5 { try a.send([UInt8(i)], to: .memory("b")) }
        // The scheduler sleeps on the clock until the first datagram is due; that is the only
        // sleeper, so one advance delivers all five.
        await sleepers(1, on: clock)
        #expect(clock.advanceToNextDeadline())
        var got: [UInt8] = []
        for await (byte, at) in arrivals {
            got.append(byte)
            #expect(at == Tick(nanoseconds: 10_000_000))
            if got.count == 5 { break }
        }
        #expect(got == [0, 1, 2, 3, 4])
        await a.close()
        await b.close()
    }
}
