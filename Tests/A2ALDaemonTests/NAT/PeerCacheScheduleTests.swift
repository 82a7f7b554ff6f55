import Testing
@testable import A2ALDaemon

/// When the peer cache is written (PeerCacheSchedule): early, on change, and periodically.
@Suite struct PeerCacheScheduleTests {
    let ids = (0..<16).map { "peer\($0)" }

    @Test func firstSaveAsSoonAsAFewPeersAreVerified() {
        let s = PeerCacheSchedule()
        #expect(!s.shouldSave(warm: [], now: 5))
        #expect(!s.shouldSave(warm: Array(ids.prefix(PeerCacheSchedule.usefulPeers - 1)), now: 5))
        #expect(s.shouldSave(warm: Array(ids.prefix(PeerCacheSchedule.usefulPeers)), now: 5))
    }

    @Test func laterSavesFollowMeaningfulChangeOrTheInterval() {
        var s = PeerCacheSchedule()
        let first = Array(ids.prefix(8))
        s.didSave(warm: first, now: 100)
        // Unchanged: not before the interval.
        #expect(!s.shouldSave(warm: first, now: 200))
        #expect(s.shouldSave(warm: first, now: 100 + UInt64(PeerCacheKeeper.saveInterval.components.seconds)))
        // A quarter replaced: yes, but not within the minimum gap.
        let changed = Array(ids[2..<10])
        #expect(!s.shouldSave(warm: changed, now: 100 + PeerCacheSchedule.minGap - 1))
        #expect(s.shouldSave(warm: changed, now: 100 + PeerCacheSchedule.minGap))
        // One peer of eight replaced is not meaningful.
        #expect(!s.shouldSave(warm: Array(ids[1..<9]), now: 200))
    }
}
