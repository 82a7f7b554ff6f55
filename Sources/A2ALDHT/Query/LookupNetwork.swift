import A2ALCore
import A2ALProtocol

/// Everything an `IterativeLookup` needs from its node, and nothing more: a clock, one RPC per
/// candidate, and one call — one lock — per reply to absorb its contacts.
protocol LookupNetwork: Sendable {
    var clock: any NodeClock { get }

    /// Absorbs `hearsay` as contacts learned from `reporter` (none for seeds), then returns the
    /// `admitting` contacts the lookup may ask: dialable, not us, not at a hairpin address, with
    /// their health and deadline. One locked call.
    func report(hearsay: [NodeInfo], from reporter: NodeID?, admitting: [LookupContact]) -> [LookupPeer]

    /// One RPC to `peer` — up to `LookupConstants.attemptsPerPeer` hedged requests, one
    /// `peer.attemptTimeout` apart (docs/routing.md §3.6): its contacts and, for a record search,
    /// the records it returned that verify for `target`. nil when the peer failed.
    func ask(_ peer: LookupPeer, target: NodeID, mode: IterativeLookup.Mode) async -> LookupReply?
}

/// A contact a lookup might ask: a seed from the routing table or one a peer reported.
struct LookupContact: Sendable {
    let id: NodeID
    let info: NodeInfo?
    /// Where it said it is, used when no dial address is known.
    let endpoint: WireEndpoint?
}

/// A candidate the node admitted.
struct LookupPeer: Sendable {
    let id: NodeID
    let info: NodeInfo?
    let address: PeerAddress
    /// Bad peers are asked only when nothing better is left.
    let bad: Bool
    /// How long one request to this peer may take before it is late: the lookup then hedges
    /// it and frees its slot (docs/routing.md §3.6, §3.8). From the peer's last round trip, or
    /// the node's estimate when the peer was never measured.
    let attemptTimeout: Duration
}

/// A peer's answer to one lookup RPC.
struct LookupReply: Sendable {
    let nodes: [NodeInfo]
    let records: [VerifiedRecord]
}

extension LookupPeer {
    /// The RPC's deadline: every hedge gets its attempt deadline, and the whole RPC at least
    /// 400 ms, so a peer that is slow rather than lost is neither dropped from the lookup nor
    /// charged a failure (docs/routing.md §3.6).
    var rpcTimeout: Duration { max(attemptTimeout * LookupConstants.attemptsPerPeer, LookupConstants.minRPCTimeout) }
}
