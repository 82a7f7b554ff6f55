import A2ALCore

/// The Ed25519 identities of a run's adversaries, derived from the run's seed so the same
/// `--seed` gives the same adversaries (docs/benchmarks.md, "Adversaries in the simulator").
public enum AdversaryIdentities {
    /// One identity: its key pair and the node ID peers route it by.
    public struct Identity: Sendable {
        public let keyPair: Ed25519.KeyPair
        public let address: Address
        public var nodeID: NodeID { address.nodeID }
    }

    /// `count` identities from seed-derived Ed25519 seeds.
    public static func make(count: Int, seed: UInt64) -> [Identity] {
        var rng = SplitMix64(seed: seed ^ 0xADFE_5A11_0000_0001)
        return (0..<count).compactMap { _ in identity(&rng) }
    }

    /// `count` identities whose node IDs share at least `prefixBits` leading bits with one of
    /// `victims`, spread round-robin over the victims: keys are ground (generated and thrown away
    /// until one lands) exactly as an attacker without special hardware would. Every candidate is
    /// tried against all victims at once, so the cost is about count · 2^prefixBits / victims
    /// key generations.
    public static func ground(count: Int, near victims: [NodeID], prefixBits: Int, seed: UInt64) -> [Identity] {
        guard !victims.isEmpty, count > 0 else { return [] }
        let bits = max(0, min(prefixBits, 24))
        var rng = SplitMix64(seed: seed ^ 0xEC11_95E0_0000_0002)
        // Victims by prefix, and how many identities each still needs.
        var wanted: [UInt64: [Int]] = [:]
        var need = [Int](repeating: count / victims.count, count: victims.count)
        for v in 0..<(count % victims.count) { need[v] += 1 }
        for (v, key) in victims.enumerated() { wanted[prefix(key, bits), default: []].append(v) }
        var out: [Identity] = []
        out.reserveCapacity(count)
        while out.count < count {
            guard let candidate = identity(&rng) else { continue }
            guard let vs = wanted[prefix(candidate.nodeID, bits)], let v = vs.first(where: { need[$0] > 0 }) else { continue }
            need[v] -= 1
            out.append(candidate)
        }
        return out
    }

    /// The first `bits` bits of `id` as an integer.
    static func prefix(_ id: NodeID, _ bits: Int) -> UInt64 {
        guard bits > 0 else { return 0 }
        let b = id.bytes
        var word: UInt64 = 0
        for i in 0..<8 { word = word << 8 | UInt64(b[i]) }
        return word >> UInt64(64 - bits)
    }

    private static func identity(_ rng: inout SplitMix64) -> Identity? {
        var seed: [UInt8] = []
        seed.reserveCapacity(Ed25519.seedCount)
        for _ in 0..<(Ed25519.seedCount / 8) {
            let w = rng.next()
            for s in stride(from: 56, through: 0, by: -8) { seed.append(UInt8(truncatingIfNeeded: w >> UInt64(s))) }
        }
        guard let kp = try? Ed25519.KeyPair(seed: seed) else { return nil }
        return Identity(keyPair: kp, address: Address.ed25519(publicKey: kp.publicKey))
    }
}
