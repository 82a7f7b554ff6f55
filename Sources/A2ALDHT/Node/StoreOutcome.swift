import A2ALProtocol

/// How a peer answered a STORE (docs/protocol.md, "STORE_RESP").
public enum StoreOutcome: Equatable, Sendable, CustomStringConvertible {
    /// Newly stored (or, from a v0.1.7-style peer, held in some way it does not tell).
    case stored
    /// The peer already held this record or a newer one for the slot (v0.1.8+ `already_had`).
    case alreadyHad
    /// The peer refused the record. A refusal is an answer: it never counts against the peer.
    case refused(StoreRefusal)

    /// What a v0.1.8+ requester reads as "stored": the peer holds the record.
    public var holdsRecord: Bool {
        if case .refused = self { return false }
        return true
    }

    init(_ resp: StoreResp) {
        if resp.alreadyHad { self = .alreadyHad } else if resp.stored { self = .stored } else {
            self = .refused(StoreRefusal(reason: resp.reason))
        }
    }

    public var description: String {
        switch self {
        case .stored: return "stored"
        case .alreadyHad: return "already had"
        case .refused(let r): return "refused (\(r))"
        }
    }
}

/// Why a peer refused a STORE (the STORE_RESP `reason`).
public enum StoreRefusal: Equatable, Sendable, CustomStringConvertible {
    /// No reason given: every v0.1.7 refusal. Read as "the peer refuses" (it leaves the replica set).
    case unexplained
    /// The peer's own policy refuses records from us: a stable refusal of the peer.
    case policy
    /// The record is invalid (signature, payload, time, key or authority): the peer is fine.
    case recordInvalid
    /// A reason this node does not know; treated like a policy refusal.
    case other(UInt8)

    init(reason: UInt8) {
        switch reason {
        case StoreReason.none: self = .unexplained
        case StoreReason.policy: self = .policy
        case StoreReason.recordInvalid: self = .recordInvalid
        default: self = .other(reason)
        }
    }

    /// The snake_case name used in JSON.
    public var name: String {
        switch self {
        case .unexplained: return "unexplained"
        case .policy: return "policy"
        case .recordInvalid: return "record_invalid"
        case .other(let r): return "reason_\(r)"
        }
    }

    /// True when the peer should stay in the record's replica set: only an invalid record says
    /// nothing about the peer.
    public var keepsReplica: Bool { self == .recordInvalid }

    public var description: String { name }
}
