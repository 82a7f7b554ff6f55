/// What a simulated adversary does (docs/benchmarks.md, "Adversaries in the simulator").
/// Adversaries speak the real protocol with their own Ed25519 keys; only their answers differ.
public enum AdversaryBehaviour: String, CaseIterable, Sendable {
    /// Answers honestly while the network joins and records are published, then never again.
    case drop
    /// FIND_NODE: the colluding adversaries closest to the target; FIND_VALUE: those and no
    /// records; STORE: acknowledged and thrown away.
    case lie
    /// Keeps the first version of every record it is given, refuses newer ones in silence and
    /// serves the old one; answers FIND_NODE honestly.
    case stale
    /// Identities crowded into a few /24s that push themselves into honest routing tables
    /// (join lookup plus extra PINGs) and then answer like `lie`.
    case sybil
    /// Identities ground to sit next to the victims' record keys; they answer like `lie` for
    /// lookups near a victim key and honestly for everything else.
    case eclipse

    /// Whether FIND_NODE and FIND_VALUE near `target` get only colluding contacts.
    func liesAbout(_ nearVictim: Bool) -> Bool {
        switch self {
        case .lie, .sybil: return true
        case .eclipse: return nearVictim
        case .drop, .stale: return false
        }
    }
}
