import A2ALCore
import A2ALProtocol

extension SignedRecord {
    /// The time-dependent half of `verify(now:)`: the store verifies signature and payload once,
    /// at `put`, and afterwards only this window can change. A record is live from
    /// `timestamp - futureSkewAllowance` through `timestamp + ttl` inclusive.
    @inline(__always)
    func isLiveInStore(now: UInt64) -> Bool {
        guard expiresAt >= now else { return false }
        return timestamp <= now || timestamp - now <= SignedRecord.futureSkewAllowance
    }
}
