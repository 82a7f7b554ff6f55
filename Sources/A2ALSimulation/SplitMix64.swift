/// A tiny seedable pseudo-random generator (SplitMix64). Not cryptographic: it exists so that the
/// in-memory network's simulated loss and jitter, the simulator's choices and the property tests
/// replay identically from the same seed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 bits of precision.
    public mutating func nextUnitInterval() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Uniform in 0...bound by multiply-high (bias below 2^-64 per draw, no rejection loop), so the
    /// number of draws per call is always one and sequences stay aligned across runs.
    public mutating func next(upTo bound: UInt64) -> UInt64 {
        if bound == .max { return next() }
        return next().multipliedFullWidth(by: bound + 1).high
    }
}
