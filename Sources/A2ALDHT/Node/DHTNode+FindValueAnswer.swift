import A2ALCore
import A2ALProtocol

extension DHTNode {
    /// The FIND_VALUE answer (docs/node-behaviour.md §4.5.3): the valid records at the key
    /// (filtered by type), neighbours, and the legacy best endpoint record only when there are no
    /// records (docs/ protocol.md, "FIND_VALUE_RESP").
    ///
    /// An answer whose body exceeds 1050 bytes is trimmed: contacts from the end down to one,
    /// then records down to one, then the legacy record, and last the contact list itself — an
    /// answer without contacts beats no answer. Three rules keep a busy or hostile key answerable
    /// (docs/security.md, "records crowding an agent's key"):
    /// - the key owner's own records (those whose address hashes to the key, such as an agent's
    ///   endpoint record) are dropped last, so records third parties store at an agent's key
    ///   (mailbox notes) cannot crowd them out;
    /// - a record too large for any datagram is never offered (it would make every answer fail);
    /// - the other records rotate: each trimmed answer starts where the previous one for that key
    ///   ended, so repeated requests page through all of them. The reference always drops the
    ///   oldest, so only the same few newest records are ever visible at a busy key.
    ///
    /// Sizes are added up once per record rather than re-encoding the answer at every step, so
    /// trimming a key with a hundred records stays linear.
    func findValueAnswer(_ req: FindValue, requester: NodeID, from: PeerAddress, now: Tick) -> FindValueResp {
        let unix = clock.unixSeconds()
        // The best endpoint record is only looked up when it can be sent (no `records`, or a
        // v0.1.7-style answer): a second pass over the key on every request would be wasted.
        let withLegacy = wireProfile == .v017
        let (stored, best, cursor) = state.withLock { s in
            let all = s.store.getAll(req.target, recType: req.recType, now: unix)
            return (all, all.isEmpty || withLegacy ? s.store.get(req.target, now: unix) : nil, s.answerCursors[req.target] ?? 0)
        }
        let legacy = best.flatMap { (req.recType == 0 || $0.recType == req.recType) ? $0.record : nil }
        let nodes = replyNeighbours(for: req.target, requester: requester, requesterAddress: from, now: now)
        // Relayed as decoded: the records go out exactly as they came in.
        let full = FindValueResp(nodes: nodes.isEmpty ? nil : nodes, record: legacy, observed: observed(from),
                                 records: stored.map(\.record))
        var plan = FindValueAnswerPlan(full, owner: req.target, cursor: cursor)
        guard plan.size > ProtocolConstants.responseBodyTrimTarget else { return full }
        plan.trim(to: ProtocolConstants.responseBodyTrimTarget)
        let resp = plan.response
        if plan.rotatedOthers > 0 {
            let next = (cursor + plan.othersSent) % plan.rotatedOthers
            state.withLock { s in
                if s.answerCursors.count >= NodeConstants.maxAnswerCursors { s.answerCursors.removeAll() }
                s.answerCursors[req.target] = next
            }
        }
        return resp
    }
}

/// The parts of a FIND_VALUE answer with their encoded sizes, trimmed by arithmetic.
struct FindValueAnswerPlan {
    /// The largest body a datagram can carry.
    static let maxBody = ProtocolConstants.maxDatagramSize - ProtocolConstants.envelopeOverhead

    private var nodes: [NodeInfo]?
    private var nodeBytes: Int
    private var legacy: SignedRecord?
    private let legacyBytes: Int
    private let observed: WireEndpoint
    private let observedBytes: Int
    /// Owner records first, then the others rotated to the cursor; trimming takes from the end.
    private var records: [(record: SignedRecord, bytes: Int, owner: Bool)]
    private var recordBytes: Int
    /// Records of third parties in rotation (0 when the answer needs no rotation).
    private(set) var rotatedOthers = 0

    init(_ full: FindValueResp, owner key: NodeID, cursor: Int) {
        nodes = full.nodes
        nodeBytes = full.nodes?.reduce(0) { $0 + $1.encodedSize } ?? 0
        legacy = full.record
        legacyBytes = full.record.map { $0.encoded.count } ?? 0
        observed = full.observed ?? .unknown
        observedBytes = full.observedAddr.count
        var owners: [(record: SignedRecord, bytes: Int, owner: Bool)] = []
        var others: [(record: SignedRecord, bytes: Int, owner: Bool)] = []
        for r in full.records {
            let n = r.encoded.count
            // Map header, keys, null contact list, observed address and array header around it.
            guard n + 32 + full.observedAddr.count <= Self.maxBody else { continue }
            if r.address.nodeID == key { owners.append((r, n, true)) } else { others.append((r, n, false)) }
        }
        if !others.isEmpty {
            let start = cursor % others.count
            others = Array(others[start...] + others[..<start])
        }
        rotatedOthers = others.count
        records = owners + others
        recordBytes = records.reduce(0) { $0 + $1.bytes }
    }

    /// Third-party records in the answer as it stands.
    var othersSent: Int { records.lazy.filter { !$0.owner }.count }

    /// The body's encoded size (canonical CBOR: `{1: nodes|null, 2?: record, 3: observed, 4?: [records]}`).
    var size: Int {
        var n = 1 + 1  // map header (2–4 pairs), key 1
        if let nodes { n += Self.headSize(nodes.count) + nodeBytes } else { n += 1 }
        if legacy != nil { n += 1 + legacyBytes }
        n += 1 + Self.headSize(observedBytes) + observedBytes
        if !records.isEmpty { n += 1 + Self.headSize(records.count) + recordBytes }
        return n
    }

    /// Bytes of a CBOR head carrying `n`.
    static func headSize(_ n: Int) -> Int { n < 24 ? 1 : n < 256 ? 2 : n < 65_536 ? 3 : 5 }

    mutating func trim(to target: Int) {
        while size > target {
            if let n = nodes, n.count > 1 {
                nodeBytes -= n[n.count - 1].encodedSize
                nodes = Array(n.dropLast())
            } else if records.count > 1 {
                recordBytes -= records.removeLast().bytes
            } else if legacy != nil, !records.isEmpty {
                legacy = nil
            } else if nodes != nil {
                nodes = nil
                nodeBytes = 0
            } else {
                break
            }
        }
    }

    var response: FindValueResp {
        FindValueResp(nodes: nodes, record: legacy, observed: observed, records: records.map(\.record))
    }
}
