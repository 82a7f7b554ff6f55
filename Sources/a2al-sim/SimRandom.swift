/// Seeded generator for the simulator's own choices (seeds, churn victims, queriers, targets),
/// so the same `--seed` picks the same nodes. Not cryptographic; identities use real keys.
struct SimRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed ^ 0x5A5A_A5A5_0F0F_F0F0 }

    /// SplitMix64.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
