import A2ALCore
import A2ALDHT
import A2ALProtocol
import A2ALRPC

/// The "record" shape of docs/jsonrpc.md: a signed record with its payload decoded.
///
/// `raw` is the record's canonical CBOR encoding — the bytes a STORE carries and the store
/// keeps — so a client can hand it back to `store.put`, `node.store_at` or `publish.record`.
package enum RecordJSON {
    /// "endpoint" (0x01), "topic" (0x10), "mailbox" (0x80) or "custom" (everything else, whose
    /// payload is shown as opaque bytes).
    package static func typeName(_ code: UInt8) -> String {
        switch code {
        case RecordType.endpoint: return "endpoint"
        case RecordType.topic: return "topic"
        case RecordType.mailbox: return "mailbox"
        default: return "custom"
        }
    }

    /// A verified record as JSON with the payload its verification decoded (nothing is decoded
    /// again); `key` is its DHT key when the caller shows it.
    package static func render(_ v: VerifiedRecord, key: NodeID?) -> JSONValue {
        switch v.decoded {
        case .endpoint(let p): return render(v.record, key: key, payload: (.object(endpoint(p)), nil))
        case .topic(let p): return render(v.record, key: key, payload: (.object(topic(p)), nil))
        case .opaque: return render(v.record, key: key)
        }
    }

    package static func render(_ records: [VerifiedRecord], key: NodeID?) -> JSONValue {
        .array(records.map { render($0, key: key) })
    }

    /// A record nobody verified (one peer's raw answer, one we signed) as JSON; `key` is its DHT
    /// key when the caller knows it.
    package static func render(_ r: SignedRecord, key: NodeID?) -> JSONValue { render(r, key: key, payload: payload(r)) }

    package static func render(_ records: [SignedRecord], key: NodeID?) -> JSONValue {
        .array(records.map { render($0, key: key) })
    }

    private static func render(_ r: SignedRecord, key: NodeID?, payload: (JSONValue, String?)) -> JSONValue {
        var o = JSONObject()
        o["type"] = .string(typeName(r.recType))
        o["type_code"] = .int(Int64(r.recType))
        o["address"] = .string(r.address.text)
        if let key { o["key"] = .string(key.description) }
        o["seq"] = .decimal(r.seq)
        o["timestamp"] = .integer(r.timestamp)
        o["ttl_s"] = .integer(r.ttl)
        o["expires_at"] = .integer(r.expiresAt)
        o["delegated"] = .bool(!r.delegation.isEmpty)
        o["payload"] = payload.0
        if let error = payload.1 { o["payload_error"] = .string(error) }
        o["raw"] = .string(Base64Text.encode(r.encoded))
        return .object(o)
    }

    /// The decoded payload, or null and the reason it does not decode.
    package static func payload(_ r: SignedRecord) -> (JSONValue, String?) {
        let bytes = r.payload ?? []
        switch r.recType {
        case RecordType.endpoint:
            do {
                return (.object(endpoint(try EndpointPayload(encoded: bytes))), nil)
            } catch {
                return (.null, "endpoint payload: \(error)")
            }
        case RecordType.topic:
            do {
                return (.object(topic(try TopicPayload(encoded: bytes))), nil)
            } catch {
                return (.null, "topic payload: \(error)")
            }
        case RecordType.mailbox:
            do {
                return (.object(mailbox(try MailboxPayload(encoded: bytes))), nil)
            } catch {
                return (.null, "mailbox payload: \(error)")
            }
        default:
            return (["data": .string(Base64Text.encode(bytes))], nil)
        }
    }

    /// `{"endpoints", "nat_type", "signal", "turns", "signals"}`; a null endpoint list is [].
    package static func endpoint(_ p: EndpointPayload) -> JSONObject {
        [
            "endpoints": .strings(p.endpoints ?? []),
            "nat_type": .int(Int64(p.natType)),
            "signal": .string(p.signal),
            "turns": .strings(p.turns),
            "signals": .strings(p.signals),
        ]
    }

    /// `{"topic", "name", "protocols", "tags", "brief", "meta"}`; null lists are [].
    package static func topic(_ p: TopicPayload) -> JSONObject {
        [
            "topic": .string(p.topic),
            "name": .string(p.name),
            "protocols": .strings(p.protocols ?? []),
            "tags": .strings(p.tags ?? []),
            "brief": .string(p.brief),
            "meta": .object(CBORJSON.object(from: p.meta)),
        ]
    }

    /// `{"recipient": addr|null, "encrypted_bytes"}`: what can be told without the recipient's
    /// key. A recipient that is not a 21-byte address shows as null.
    package static func mailbox(_ p: MailboxPayload) -> JSONObject {
        let recipient = p.recipient.flatMap { Address(bytes: $0) }
        return [
            "recipient": .optional(recipient?.text),
            "encrypted_bytes": .int(Int64(p.ciphertext?.count ?? 0)),
        ]
    }
}
