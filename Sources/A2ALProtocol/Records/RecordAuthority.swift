import A2ALCore

/// Why a record may not be stored at a key by its signer (docs/protocol.md §4.11).
public enum AuthorityError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A sovereign record must live at NodeID(record.address).
    case wrongKey(expected: NodeID, got: NodeID)
    /// The signing key is not the address's own and no delegation was attached.
    case notAuthorized
    case delegation(DelegationError)
    case delegationMismatch(String)

    public var description: String {
        switch self {
        case .wrongKey(let e, let g): return "record belongs at key \(e), not \(g)"
        case .notAuthorized: return "signing key is not authorised for the record address"
        case .delegation(let e): return "\(e)"
        case .delegationMismatch(let r): return "delegation does not cover this record: \(r)"
        }
    }
}

/// The record-authority policy of docs/protocol.md §4.11, applied to every STORE and to every
/// record a lookup receives for a key.
public enum RecordAuthority {
    public static func check(_ record: SignedRecord, key: NodeID, now: UInt64) throws(AuthorityError) {
        if record.category == .sovereign {
            let expected = record.address.nodeID
            guard key == expected else { throw .wrongKey(expected: expected, got: key) }
        }
        if Address.ed25519(publicKey: record.pubkey) == record.address { return }
        guard !record.delegation.isEmpty else { throw .notAuthorized }
        let proof: DelegationProof
        do {
            proof = try DelegationProof(encoded: record.delegation)
        } catch {
            throw .delegation(error)
        }
        guard proof.opPub == record.pubkey else { throw .delegationMismatch("op_pub is not the record's key") }
        guard proof.agentAddr == record.address else { throw .delegationMismatch("agent_addr is not the record's address") }
        do {
            try proof.verify(now: now)
        } catch {
            throw .delegation(error)
        }
    }
}
