import A2ALDHT
import A2ALSimulation

/// Seeded generator for the simulator's own choices (seeds, churn victims, queriers, targets),
/// so the same `--seed` picks the same nodes. Not cryptographic; identities use real keys.
/// The seed is mixed so these choices do not mirror the network's loss sequence for that seed.
func makeSimRandom(seed: UInt64) -> SplitMix64 { SplitMix64(seed: seed ^ 0x5A5A_A5A5_0F0F_F0F0) }
