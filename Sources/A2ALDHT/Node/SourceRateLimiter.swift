import A2ALProtocol

/// Per-source-IP token buckets for inbound datagrams, so one flooding address cannot starve the
/// others (docs/deviations.md §3). Bounded: the least recently refilled buckets are forgotten
/// when the table is full. Not thread-safe; the node keeps it under a lock.
struct SourceRateLimiter {
    struct Bucket {
        var tokens: Double
        var updated: Tick
    }

    let ratePerSecond: Double
    let burst: Double
    let maxSources: Int
    private var buckets: [IPAddress: Bucket] = [:]

    init(ratePerSecond: Double, burst: Double, maxSources: Int) {
        self.ratePerSecond = ratePerSecond
        self.burst = burst
        self.maxSources = maxSources
    }

    /// Takes one token for `ip`; false when its bucket is empty.
    mutating func allow(_ ip: IPAddress, now: Tick) -> Bool {
        if var b = buckets[ip] {
            let refill = (now - b.updated).seconds * ratePerSecond
            b.tokens = min(burst, b.tokens + max(0, refill))
            b.updated = now
            guard b.tokens >= 1 else {
                buckets[ip] = b
                return false
            }
            b.tokens -= 1
            buckets[ip] = b
            return true
        }
        if buckets.count >= maxSources { forgetIdle(now: now) }
        buckets[ip] = Bucket(tokens: burst - 1, updated: now)
        return true
    }

    /// Drops buckets that have refilled completely (their state carries no information), and if
    /// that frees nothing, the oldest half.
    private mutating func forgetIdle(now: Tick) {
        let fullAfter = Duration.seconds(burst / ratePerSecond)
        buckets = buckets.filter { now - $0.value.updated < fullAfter }
        if buckets.count >= maxSources {
            let keep = buckets.sorted { $0.value.updated > $1.value.updated }.prefix(maxSources / 2)
            buckets = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
        }
    }

    var trackedSources: Int { buckets.count }
}

/// The NAT-echo limit of docs/node-behaviour.md §4.5.5: at most 3 echoes per source IP per fixed 10
/// s window. Bounded, unlike the reference's table which is never pruned.
struct FixedWindowLimiter {
    let limit: Int
    let window: Duration
    let maxSources: Int
    private var windows: [IPAddress: (end: Tick, count: Int)] = [:]

    init(limit: Int, window: Duration, maxSources: Int) {
        self.limit = limit
        self.window = window
        self.maxSources = maxSources
    }

    mutating func allow(_ ip: IPAddress, now: Tick) -> Bool {
        if let w = windows[ip], now <= w.end {
            windows[ip] = (w.end, w.count + 1)
            return w.count + 1 <= limit
        }
        if windows.count >= maxSources { windows = windows.filter { now <= $0.value.end } }
        guard windows.count < maxSources else { return false }
        windows[ip] = (now + window, 1)
        return true
    }
}

/// One token bucket for all inbound datagrams together: a distributed flood from more
/// addresses than the per-source limit can see is capped before it reaches decoding and
/// signature checks (docs/security.md, "Floods").
struct GlobalRateLimiter {
    let ratePerSecond: Double
    let burst: Double
    private var tokens: Double
    private var updated: Tick?

    init(ratePerSecond: Double, burst: Double) {
        self.ratePerSecond = ratePerSecond
        self.burst = burst
        tokens = burst
    }

    mutating func allow(now: Tick) -> Bool {
        if let updated { tokens = min(burst, tokens + max(0, (now - updated).seconds * ratePerSecond)) }
        updated = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
