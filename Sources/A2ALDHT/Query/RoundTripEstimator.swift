import A2ALCore

/// The node-wide round-trip estimate that sizes lookup RPC deadlines (docs/routing.md §3.6):
/// a smoothed RTT and its mean deviation over every successful exchange, as TCP keeps per
/// connection (Jacobson/Karels, gains 1/8 and 1/4). A peer we never measured gets a deadline
/// from this estimate instead of a fixed 2 s, and a measured peer's deadline gets the node's
/// spread as its margin instead of a fixed 400 ms floor.
struct RoundTripEstimator: Sendable {
    private(set) var smoothed: Duration?
    private(set) var deviation: Duration = .zero

    mutating func add(_ sample: Duration) {
        guard sample > .zero else { return }
        guard let s = smoothed else {
            // RFC 6298 §2.2's first sample: deviation half the sample.
            smoothed = sample
            deviation = sample / 2
            return
        }
        let error = sample > s ? sample - s : s - sample
        deviation = deviation * 3 / 4 + error / 4
        smoothed = s * 7 / 8 + sample / 8
    }

    /// How long one attempt to a peer may take before the lookup hedges it with a second
    /// request (and counts it late): the peer's last RTT when measured, else the node's
    /// smoothed RTT, plus four deviations and a small margin, within the bounds of
    /// `LookupConstants` (docs/routing.md §3.1).
    func attemptTimeout(peerRTT: Duration?) -> Duration {
        guard let base = peerRTT ?? smoothed else { return LookupConstants.unmeasuredAttemptTimeout }
        // A single peer sample can be noisy: never less than half its own value again.
        let spread = max(deviation * 4, base / 2)
        let timeout = base + spread + LookupConstants.attemptTimeoutMargin
        return min(LookupConstants.maxAttemptTimeout, max(LookupConstants.minAttemptTimeout, timeout))
    }
}
