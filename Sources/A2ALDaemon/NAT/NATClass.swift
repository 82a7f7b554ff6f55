/// What the node concluded about the NAT in front of it (docs/protocol.md, "NAT
/// classification"). `code` is the endpoint record's `nat_type` (docs/protocol.md §4.6): a
/// filtering NAT is published as 3 (port-restricted) because restricted and port-restricted are not
/// told apart and 3 is the safer assumption for a peer planning a hole punch; 4 only when really
/// symmetric, since v0.2.x peers stop choosing a node that publishes 4 as a replica.
package enum NATClass: String, Sendable, Equatable, CaseIterable {
    case unknown
    /// Our socket's own address is what peers see: no NAT.
    case `public`
    /// Behind a NAT that lets in anyone once a mapping exists (cold inbound works).
    case fullCone = "full_cone"
    /// One stable mapping, but inbound only from peers we sent to (restricted or port-restricted).
    case filtered
    /// A different outside port per destination.
    case symmetric

    package var name: String { rawValue }

    package var code: UInt8 {
        switch self {
        case .unknown: return 0
        case .public, .fullCone: return 1
        case .filtered: return 3
        case .symmetric: return 4
        }
    }
}
