import A2ALDHT
import Testing
@testable import A2ALDaemon

/// When a healed partition is recognised (docs/protocol.md, "Partitions"); times are passed in.
@Suite struct PartitionHealerTests {
    @Test func recoveriesWithinTheWindowMakeAHealOnePeerDoesNot() {
        let h = PartitionHealer(clock: SystemClock())
        #expect(!h.decide(good: 20, now: 1000))
        h.peerRecovered()
        #expect(!h.decide(good: 20, now: 1005))
        h.peerRecovered()
        #expect(h.decide(good: 20, now: 1010))
        // Not again within the cooldown, however much evidence.
        h.peerRecovered(); h.peerRecovered()
        #expect(!h.decide(good: 20, now: 1010 + PartitionHealer.cooldown - 1))
    }

    @Test func aGrowingTableMakesAHealAStableOneDoesNot() {
        let h = PartitionHealer(clock: SystemClock())
        #expect(!h.decide(good: 20, now: 100))
        #expect(!h.decide(good: 22, now: 105))   // +2: ordinary churn
        #expect(h.decide(good: 26, now: 110))    // +6 over the low of 20: the other side is back
        #expect(!h.decide(good: 26, now: 200))
        // A low older than the window does not count.
        #expect(!h.decide(good: 10, now: 300))
        #expect(!h.decide(good: 10, now: 300 + PartitionHealer.window + 1))
        #expect(h.decide(good: 14, now: 300 + PartitionHealer.window + 2))
    }
}
