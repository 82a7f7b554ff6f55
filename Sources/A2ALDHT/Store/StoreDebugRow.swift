import A2ALCore
import A2ALProtocol

/// One stored record as `/debug/store` shows it (docs/node-behaviour.md §9.2 StoreRow). The JSON
/// layer maps the fields to `key_node_id_hex`, `address_hex`, `rec_type`, `seq`, `timestamp`,
/// `ttl_seconds`, `payload_cbor_len` in that order.
public struct StoreDebugRow: Hashable, Sendable {
    public var key: NodeID
    public var address: Address
    public var recType: UInt8
    public var seq: UInt64
    public var timestamp: UInt64
    public var ttlSeconds: UInt32
    /// Length of the record's payload bytes (its CBOR-encoded payload), 0 when absent.
    public var payloadCBORLength: Int

    public init(key: NodeID, record: SignedRecord) {
        self.key = key
        address = record.address
        recType = record.recType
        seq = record.seq
        timestamp = record.timestamp
        ttlSeconds = record.ttl
        payloadCBORLength = record.payload?.count ?? 0
    }

    /// Lowercase hex of the key, as the JSON row spells it.
    public var keyNodeIDHex: String { key.bytes.hex }
    /// Lowercase hex of the 21 address bytes, as the JSON row spells it.
    public var addressHex: String { address.bytes.hex }
}
