import A2ALCore

/// A ring of identities ground next to a key (docs/routing.md §3.14): far more of a lookup's
/// closest answers share a long prefix with the key than the network's size allows.
///
/// A node ID is the SHA-256 of a public key, so an attacker can make as many as it likes that
/// share the key's first log2(N) bits and take every one of the K places closest to the key;
/// records stored there are thrown away and lookups end there. What the attacker cannot hide is
/// the density: among N uniformly placed nodes about N/2^t share t bits with any key, and a
/// ring that fills the K closest places puts K or more where the network has about one.
/// Honest lookups that see such a ring also store and search at the K closest nodes outside
/// it, which the ring cannot crowd out: the nodes closest to the key with bit j flipped
/// (j below the ring's depth) share exactly j bits with the key, so no ring member is among
/// them.
struct EclipseRing: Sendable, Equatable {
    let key: NodeID
    /// The ring is every node sharing at least this many leading bits with `key`.
    let depth: Int

    /// A ring has at least this many members among the closest answers…
    static let minimumMembers = 8
    /// …and this many times as many as the network-size estimate expects that close. An honest
    /// neighbourhood reaches both with a probability of about 1e-5 when the estimate is right,
    /// and 0.1% when it is half the true size; a false alarm costs only the search outside.
    static let densityFactor = 8.0
    /// Shells outside the ring are searched until they hold about this many nodes together.
    static let shellPopulation = 2 * NodeConstants.k
    /// At most this many shell lookups per search outside a ring.
    static let maxShells = 6

    /// The widest prefix of `key` that `nodes` (a lookup's closest answers) crowd
    /// implausibly, or nil. A depth t qualifies with at least `minimumMembers` nodes sharing it
    /// and `densityFactor` times as many as `networkSize(t)` (the estimate to judge depth t by;
    /// 0: none, no judgement) leads us to expect there. The widest, not the densest: identities
    /// packed deeper than the rest of their ring would otherwise make the ring look smaller and
    /// leave the rest of it "outside", and an attacker cannot push the widest depth out without
    /// keeping that density over a region twice as large per bit.
    static func detect(key: NodeID, among nodes: [NodeID], networkSize: (Int) -> Int) -> EclipseRing? {
        guard nodes.count >= minimumMembers else { return nil }
        var atDepth = [Int](repeating: 0, count: NodeID.bitCount + 1)
        for id in Set(nodes) { atDepth[id.commonPrefixLength(with: key)] += 1 }
        var sharing = 0
        var widest: Int?
        // From the deepest prefix up: `sharing` counts the nodes sharing at least t bits.
        for t in stride(from: NodeID.bitCount, through: 1, by: -1) {
            sharing += atDepth[t]
            guard sharing >= minimumMembers else { continue }
            if isImplausiblyDense(sharing, sharingBits: t, networkSize: networkSize(t)) { widest = t }
        }
        return widest.map { EclipseRing(key: key, depth: $0) }
    }

    func contains(_ id: NodeID) -> Bool { id.commonPrefixLength(with: key) >= depth }

    /// Lookup targets for the shells just outside the ring: `key` with bit j flipped, for
    /// j = depth − 1, depth − 2, …, until the shells are expected to hold `shellPopulation`
    /// nodes (N/2^(j+1) each) or `maxShells` are taken. The nodes closest to the target of
    /// shell j share exactly j bits with the key, and among them distance to the target orders
    /// them as distance to the key does.
    func shellTargets(networkSize: Int) -> [NodeID] {
        var targets: [NodeID] = []
        var expected = 0.0
        var j = depth - 1
        while j >= 0, targets.count < Self.maxShells, expected < Double(Self.shellPopulation) {
            if let target = key.flippingBit(j) { targets.append(target) }
            expected += Double(max(networkSize, 1)) / Self.twoToThe(j + 1)
            j -= 1
        }
        return targets
    }

    /// Whether `members` nodes sharing `bits` leading bits are `densityFactor` times as many as a
    /// network of `networkSize` nodes puts there (N/2^bits); no judgement without an estimate.
    static func isImplausiblyDense(_ members: Int, sharingBits bits: Int, networkSize: Int) -> Bool {
        networkSize > 0 && Double(members) * twoToThe(bits) >= densityFactor * Double(networkSize)
    }

    private static func twoToThe(_ n: Int) -> Double { Double(sign: .plus, exponent: n, significand: 1) }
}
