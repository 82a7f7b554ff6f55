import A2ALCore
import A2ALProtocol

/// What the publisher knows beyond `publications.json`: the records it has out now and the
/// highest sequence number it ever signed.
struct PublisherState: Sendable {
    /// The highest seq signed by this process or found in `publications.json`: every new
    /// signature goes above it, so a re-publish or renewal always supersedes what is out there.
    var lastIssuedSeq: UInt64
    /// The record each publication has out now, by publication id.
    var live: [String: LiveRecord] = [:]
    /// What auto endpoint publications carry now (`Publisher+NAT.swift`).
    var auto = AutoEndpointValues.none

    /// A seq above `previous` (the publication's last), above anything issued before, and at
    /// least the signing time in Unix nanoseconds, which is how the reference numbers its
    /// records — so after a restart with a lost file we still most likely go above the old ones.
    mutating func nextSeq(after previous: UInt64, nowUnix: UInt64) -> UInt64 {
        let (timeBased, overflow) = nowUnix.multipliedReportingOverflow(by: 1_000_000_000)
        let floor = max(previous, lastIssuedSeq)
        // A seq of UInt64.max (only from a hand-edited file) cannot be beaten; signing it again
        // makes the node report the record stale, which is the truthful outcome.
        let seq = max(floor == .max ? .max : floor + 1, overflow ? .max : timeBased)
        lastIssuedSeq = seq
        return seq
    }
}

/// A record a publication has out now and the key it is stored at.
struct LiveRecord: Sendable {
    let record: SignedRecord
    let key: NodeID
}
