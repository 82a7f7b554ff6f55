import A2ALCore

/// A signed DHT record (docs/protocol.md §4.1). Keys 1–8 are always encoded; key 9 only when
/// non-empty.
public struct SignedRecord: Hashable, Sendable, CBOREncodable {
    public var address: Address
    public var recType: UInt8
    /// nil is encoded (and signed) as `null`, an empty payload as `0x40`.
    public var payload: [UInt8]?
    public var seq: UInt64
    /// Unix seconds at signing.
    public var timestamp: UInt64
    public var ttl: UInt32
    public var pubkey: [UInt8]
    public var signature: [UInt8]
    /// CBOR-encoded `DelegationProof`, empty when self-signed.
    public var delegation: [UInt8]

    public init(address: Address, recType: UInt8, payload: [UInt8]?, seq: UInt64, timestamp: UInt64,
                ttl: UInt32, pubkey: [UInt8], signature: [UInt8], delegation: [UInt8] = []) {
        self.address = address
        self.recType = recType
        self.payload = payload
        self.seq = seq
        self.timestamp = timestamp
        self.ttl = ttl
        self.pubkey = pubkey
        self.signature = signature
        self.delegation = delegation
    }

    public var category: RecordCategory { RecordCategory(recType: recType) }

    /// Unix second after which the record is expired (valid through `timestamp + ttl`).
    public var expiresAt: UInt64 {
        let (sum, overflow) = timestamp.addingReportingOverflow(UInt64(ttl))
        return overflow ? .max : sum
    }

    // MARK: Encoding

    /// The signed fields `{1..6}` in canonical form.
    public var signFieldsEncoded: [UInt8] {
        var w = CBORWriter(capacity: 64 + (payload?.count ?? 0))
        w.mapHeader(6)
        encodeSignedFields(to: &w)
        return w.bytes
    }

    /// "a2al-rec\0" || canonical(fields).
    public var signingPreimage: [UInt8] { ProtocolConstants.recordSignPrefix + signFieldsEncoded }

    private func encodeSignedFields(to w: inout CBORWriter) {
        w.uint(1); w.bytes(address)
        w.uint(2); w.uint(recType)
        w.uint(3); w.nullableBytes(payload)
        w.uint(4); w.uint(seq)
        w.uint(5); w.uint(timestamp)
        w.uint(6); w.uint(ttl)
    }

    public func encode(to w: inout CBORWriter) {
        w.mapHeader(delegation.isEmpty ? 8 : 9)
        encodeSignedFields(to: &w)
        w.uint(7); w.bytes(pubkey)
        w.uint(8); w.bytes(signature)
        if !delegation.isEmpty { w.uint(9); w.bytes(delegation) }
    }

    /// Canonical bytes of the whole record.
    public var encodedSizeHint: Int { 160 + (payload?.count ?? 0) + delegation.count }

    // MARK: Decoding

    /// Decodes leniently and applies the shape check (address 21, pubkey 32, signature 64).
    public init(cbor: CBOR, context: String = "record") throws(CBORError) {
        let f = try CBORFields(cbor, context: context)
        address = try requireAddress(f, 1)
        recType = UInt8(try f.uint(2, max: UInt64(UInt8.max)))
        payload = try f.bytes(3)
        seq = try f.uint(4)
        timestamp = try f.uint(5)
        ttl = UInt32(try f.uint(6, max: UInt64(UInt32.max)))
        let pk = try f.bytes(7) ?? []
        guard pk.count == Ed25519.publicKeyCount else { throw .badLength(field: "\(context).7", expected: "32", got: pk.count) }
        pubkey = pk
        let sig = try f.bytes(8) ?? []
        guard sig.count == Ed25519.signatureCount else { throw .badLength(field: "\(context).8", expected: "64", got: sig.count) }
        signature = sig
        delegation = try f.bytes(9) ?? []
    }

    /// Decodes a stand-alone record (e.g. from persistence or a JSON-RPC client).
    public init(encoded bytes: [UInt8]) throws(CBORError) {
        try self.init(cbor: try CBOR.decode(bytes))
    }

    // MARK: Ordering

    /// Record precedence of the v0.2.x network (docs/protocol.md, "Record precedence"): the
    /// later delegation `issued_at` wins (a self-signed record, or one whose key 9 does not parse,
    /// counts as 0), then the larger seq, then the larger timestamp. Equal on all three: neither
    /// is newer. Ordering by delegation first is what lets a master key revoke a stolen
    /// operational key: records under a newer delegation win whatever seq the thief used.
    public func isNewer(than other: SignedRecord) -> Bool {
        let mine = delegationIssuedAt, theirs = other.delegationIssuedAt
        if mine != theirs { return mine > theirs }
        if seq != other.seq { return seq > other.seq }
        return timestamp > other.timestamp
    }

    /// `issued_at` of the attached delegation proof; 0 when self-signed or unparseable.
    public var delegationIssuedAt: UInt64 {
        guard !delegation.isEmpty, let proof = try? DelegationProof(encoded: delegation) else { return 0 }
        return proof.issuedAt
    }
}
