import A2ALCore
import A2ALProtocol
import A2ALThreads

/// Our public address as peers see it, from the `observed_addr` of their replies.
///
/// Each reporter's latest report counts once; the public address is the one the most distinct
/// recent reporters agree on. One peer alone cannot move it (a lying or confused peer would
/// otherwise flip it at will) — except while that peer is the only one that ever reported,
/// so a node with a single seed still learns its address.
package final class ObservedAddressTracker: Sendable {
    /// Reporters remembered; past it the one with the oldest report is forgotten.
    package static let maxReporters = 64
    /// Reports older than this (seconds) no longer count.
    package static let reportWindow: UInt64 = 30 * 60
    /// Agreeing reporters needed once more than one peer has ever reported.
    package static let quorum = 2

    private struct Report {
        var observed: String
        var at: UInt64
    }

    private struct State {
        var reports: [NodeID: Report] = [:]
        var firstReporter: NodeID?
        var sawSeveralReporters = false
        var publicAddress: String?
    }

    private let state = SleepingLock(State())

    package init() {}

    /// Records one report. Returns nil when `wire` is not a 6- or 18-byte address; otherwise the
    /// address as text and, when this report moved the consensus, the change. A port-0 report
    /// (the reference's placeholder when it cannot express our source) is returned but not
    /// counted.
    package func report(reporter: NodeID, wire: [UInt8], now: UInt64)
        -> (observed: String, change: (old: String?, new: String, agreeing: Int)?)? {
        guard let endpoint = WireEndpoint(wire: wire) else { return nil }
        let observed = endpoint.normalized.description
        guard endpoint.port != 0 else { return (observed, nil) }
        let change = state.withLock { s -> (old: String?, new: String, agreeing: Int)? in
            if s.reports[reporter] == nil, s.reports.count >= Self.maxReporters,
               let oldest = s.reports.min(by: { $0.value.at < $1.value.at })?.key {
                s.reports[oldest] = nil
            }
            s.reports[reporter] = Report(observed: observed, at: now)
            if let first = s.firstReporter {
                if first != reporter { s.sawSeveralReporters = true }
            } else {
                s.firstReporter = reporter
            }
            guard let (winner, agreeing) = Self.consensus(s, now: now), winner != s.publicAddress else { return nil }
            let old = s.publicAddress
            s.publicAddress = winner
            return (old, winner, agreeing)
        }
        return (observed, change)
    }

    /// The agreed public address ("ip:port"); it stays until another address wins, even when
    /// the reports behind it age out.
    package var publicAddress: String? { state.withLock { $0.publicAddress } }

    /// Recent reports (reporter, address, Unix time), newest first.
    package func reports(now: UInt64) -> [(NodeID, String, UInt64)] {
        state.withLock { s in
            s.reports.filter { Self.isRecent($0.value.at, now: now) }
                .map { ($0.key, $0.value.observed, $0.value.at) }
                .sorted { $0.2 != $1.2 ? $0.2 > $1.2 : $0.0 < $1.0 }
        }
    }

    /// The address with the most recent reporters, if it has enough of them. Ties keep the
    /// current public address, else go to the address reported most recently.
    ///
    /// Except when the address moved (a NAT's outside address changed): once a quorum of
    /// reporters agree on an address at another IP and nobody has confirmed the current one since, the
    /// new address wins, however many older reports still name the old one — those reporters
    /// simply have not heard from us since (docs/protocol.md, "NAT classification").
    private static func consensus(_ s: State, now: UInt64) -> (String, Int)? {
        if let moved = movedAddress(s, now: now) { return moved }
        var votes: [String: (count: Int, latest: UInt64)] = [:]
        for r in s.reports.values where isRecent(r.at, now: now) {
            let v = votes[r.observed] ?? (0, 0)
            votes[r.observed] = (v.count + 1, max(v.latest, r.at))
        }
        // An address nobody reported since the current one was last confirmed is the past
        // (the address we moved away from), not a rival.
        if let current = s.publicAddress, let confirmed = votes[current]?.latest {
            votes = votes.filter { $0.key == current || $0.value.latest > confirmed }
        }
        let best = votes.max { a, b in
            if a.value.count != b.value.count { return a.value.count < b.value.count }
            if (a.key == s.publicAddress) != (b.key == s.publicAddress) { return b.key == s.publicAddress }
            if a.value.latest != b.value.latest { return a.value.latest < b.value.latest }
            return a.key > b.key
        }
        guard let best else { return nil }
        let needed = s.sawSeveralReporters ? quorum : 1
        return best.value.count >= needed ? (best.key, best.value.count) : nil
    }

    /// The address a quorum reported after the current one was last confirmed, if any.
    private static func movedAddress(_ s: State, now: UInt64) -> (String, Int)? {
        guard s.sawSeveralReporters, let current = s.publicAddress else { return nil }
        let recent = s.reports.values.filter { isRecent($0.at, now: now) }
        let confirmed = recent.filter { $0.observed == current }.map(\.at).max() ?? 0
        // Only a move to another IP: a NAT that only changed our port for some peers (a Linux
        // NAT does when the 4-tuple is taken) has not moved us.
        let currentIP = hostPart(current)
        var votes: [String: Int] = [:]
        for r in recent where r.at > confirmed && hostPart(r.observed) != currentIP { votes[r.observed, default: 0] += 1 }
        guard let best = votes.max(by: { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }),
              best.value >= quorum else { return nil }
        return (best.key, best.value)
    }

    private static func hostPart(_ address: String) -> Substring {
        address.lastIndex(of: ":").map { address[..<$0] } ?? Substring(address)
    }

    private static func isRecent(_ at: UInt64, now: UInt64) -> Bool {
        at >= now || now - at <= reportWindow
    }
}
