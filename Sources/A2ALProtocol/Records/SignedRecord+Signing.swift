import A2ALCore

extension SignedRecord {
    /// Signs a self-published record: `address` must be the signer's own 0xA0 address.
    public static func sign(recType: UInt8, payload: [UInt8]?, seq: UInt64, timestamp: UInt64, ttl: UInt32,
                            signer: some MessageSigner) throws(RecordError) -> SignedRecord {
        let address = Address.ed25519(publicKey: signer.publicKey)
        return try sign(address: address, recType: recType, payload: payload, seq: seq, timestamp: timestamp,
                        ttl: ttl, signer: signer, delegation: [])
    }

    /// Signs a record for `address`. Without a delegation the address must derive from the key;
    /// with one, the delegation proof is attached (and checked by the authority policy, not here).
    public static func sign(address: Address, recType: UInt8, payload: [UInt8]?, seq: UInt64, timestamp: UInt64,
                            ttl: UInt32, signer: some MessageSigner, delegation: [UInt8]) throws(RecordError) -> SignedRecord {
        guard ttl > 0 else { throw .zeroTTL }
        if delegation.isEmpty && Address.ed25519(publicKey: signer.publicKey) != address {
            throw .addressNotDerivedFromKey
        }
        var record = SignedRecord(address: address, recType: recType, payload: payload, seq: seq,
                                  timestamp: timestamp, ttl: ttl, pubkey: signer.publicKey,
                                  signature: [], delegation: delegation)
        do {
            record.signature = try signer.sign(record.signingPreimage)
        } catch {
            throw .signingFailed(String(describing: error))
        }
        return record
    }

    /// Seconds our own records are backdated so that peers whose clocks lag slightly (the
    /// reference accepts no future timestamps) still take them; the TTL grows by the same
    /// amount so the expiry is unchanged (docs/deviations.md §8).
    public static let publishBackdateSeconds: UInt64 = 5

    /// Timestamp and TTL to sign with at `now` for a record meant to live `ttl` seconds.
    public static func backdated(now: UInt64, ttl: UInt32) -> (timestamp: UInt64, ttl: UInt32) {
        let back = min(publishBackdateSeconds, now)
        let widened = UInt64(ttl) + back
        return (now - back, UInt32(clamping: widened))
    }
}
