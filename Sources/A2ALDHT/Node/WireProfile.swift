import A2ALProtocol

/// Which generation's wire behaviour a node shows. Real nodes run `.current`; the other two
/// reproduce what reference peers do (docs/protocol.md, "Compatibility rules") so that tests and
/// `a2al-sim` can put such peers on one network with ours.
public enum WireProfile: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Ours: accepts both generations' messages, sends each peer only what it has shown it knows.
    case current
    /// A v0.1.7 reference node: drops every v0.2.x field and type (verifies over a re-encoding
    /// of the fields it knows), answers a duplicate STORE `{1:false}`, never subscribes.
    case v017
    /// A v0.2.9 reference node: verifies over its own re-encoding, sets `one_shot_subscribe` on
    /// every aggregate FIND_VALUE whatever the peer, sends `already_had` and `reason` to everyone,
    /// and notifies subscribers only of STOREs that carry a key.
    case v029

    var decodeSchema: WireSchema {
        switch self {
        case .current: return .current
        case .v017: return .v017
        case .v029: return .v029
        }
    }

    public var description: String { rawValue }
}
