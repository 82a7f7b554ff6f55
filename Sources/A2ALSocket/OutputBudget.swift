/// How much unsent output one connection may pile up (docs/jsonrpc.md, "Framing and
/// protocol"; docs/security.md, "Local clients"). A client that pipelines requests and never
/// reads would otherwise grow the daemon without bound: past `highWater` queued bytes the
/// connection's requests are no longer read, below `lowWater` they are again, and a
/// connection that stays past `highWater` for `stallTimeout` is closed.
struct OutputBudget: Sendable {
    let highWater: Int
    /// A quarter of the budget: resuming only after a real drain avoids pausing again at once.
    let lowWater: Int
    let stallTimeoutNanoseconds: UInt64

    init(options: UnixSocketOptions) {
        highWater = options.maxOutputBytes
        lowWater = options.maxOutputBytes / 4
        stallTimeoutNanoseconds = UInt64(options.outputStallTimeoutMs) * 1_000_000
    }
}
