import Foundation
import Testing
import A2ALCore
import A2ALProtocol
@testable import A2ALDHT

/// The records, precedence cases, validity cases and size cases of the v0.2.9 reference vectors
/// (docs/protocol.md, "Record precedence", "STORE_RESP", "Time rules").
///
/// Every record is decoded from the reference bytes, re-encoded and re-signed byte for byte, and
/// judged at the case's fixed `now` by `verify(now:)`, `RecordAuthority.check` and a
/// `RecordStore` with the authority policy; every store outcome is mapped to the STORE_RESP body
/// v0.2.9 sends for it and compared with the recorded bytes.
@Suite struct GoldenV029RecordTests {
    let vectors: V029Vectors

    init() throws { vectors = try V029Vectors.load() }

    /// Every section is iterated in full by the tests below. Not checked anywhere: the top-level
    /// prose (`generator`, `v017_note`, the `conventions` texts other than `tx_id`; the
    /// `store_resp_mapping_v029` convention is what `storeResp(for:)` implements) and each entry's
    /// `note` / `description` text.
    @Test func sectionCounts() throws {
        #expect(try vectors.list("records").count == 3)
        #expect(try vectors.list("precedence_cases").count == 6)
        #expect(try vectors.list("validity_cases").count == 12)
        #expect(try vectors.list("size_cases").count == 3)
        #expect(try vectors.list("identities").count == 4)
    }

    // MARK: - records[]

    @Test func records() throws {
        let records = try vectors.list("records")
        #expect(records.count == 3)
        var checked: Set<String> = []
        for r in records {
            let name = try V029.string(r, "name")
            if r["signed_record_cbor_hex"] == nil {
                // The bare delegation proof (A → B): every field against the identities and the note
                // ("issued_at 1699990000, expires_at 0 (never), scope 1").
                let bytes = try V029.hex(r, "cbor_hex")
                let proof = try DelegationProof(encoded: bytes)
                #expect(proof.encoded == bytes, "\(name) re-encodes")
                let a = try vectors.keyPair(label: "rfc8032-test1"), b = try vectors.keyPair(label: "seed-01..20")
                #expect(proof.masterPub == a.publicKey && proof.opPub == b.publicKey && proof.agentAddr == a.address, "\(name)")
                #expect(proof.issuedAt == 1_699_990_000 && proof.expiresAt == 0 && proof.scope == 1, "\(name)")
                try proof.verify(now: 1_700_001_000)
                // It is the proof the delegated profile record carries.
                let profile = try #require(try records.first { try V029.string($0, "name") == "agent_profile_0x02_delegated" })
                #expect(try V029.hex(try #require(profile["delegation"] as? [String: Any]), "cbor_hex") == bytes, "\(name)")
                checked.insert(name)
                continue
            }
            let now = try V029.int(r, "now")
            let record = try checkRecord(r, now: now, name: name)
            let key = try V029.nodeID(r, "store_key")

            // The v0.2.9 store at the record's own key.
            var store = RecordStore(authority: RecordStore.recordAuthority)
            let atKey = put(record, at: key, now: now, into: &store)
            #expect(atKey.succeeded, "\(name): \(atKey)")
            if let s = r["store_at_now"] as? [String: Any] {
                try expectStoreStep(atKey, s, record: record, now: now, name: "\(name) store_at_now")
            }
            // The v0.1.7 store outcome: accepted at its own key; v0.1.7's body is key 1 only.
            let v017 = try #require(r["v017"] as? [String: Any], "\(name)")
            #expect(v017["verify_error"] is NSNull, "\(name)")
            try record.verify(now: now, futureSkew: 0)  // the v0.1.7 time rule: no future skew
            try expectV017StoreStep(try #require(v017["store"] as? [String: Any]), name: "\(name) v017")

            if name == "agent_profile_0x02_delegated" {
                try checkProfilePayload(r, record: record)
                // At NodeID(B) instead of NodeID(A): a sovereign record at a foreign key.
                let wrong = try #require(r["store_at_wrong_key"] as? [String: Any])
                #expect(wrong["put"] as? String == "profile@NodeID(B)")
                var other = RecordStore(authority: RecordStore.recordAuthority)
                let b = try vectors.keyPair(label: "seed-01..20")
                let atB = put(record, at: b.address.nodeID, now: now, into: &other)
                try expectStoreStep(atB, wrong, record: record, now: now, name: "\(name) store_at_wrong_key")
            }
            checked.insert(name)
        }
        #expect(checked.count == 3)
    }

    /// The agent profile payload (rec_type 0x02) is opaque to the store; we have no profile type, so
    /// its fields are checked by building the canonical CBOR map from the vector's JSON fields.
    func checkProfilePayload(_ r: [String: Any], record: SignedRecord) throws {
        let p = try #require(r["profile_payload"] as? [String: Any])
        func texts(_ key: String) throws -> CBOR { .array(try #require(p[key] as? [String]).map { .text($0) }) }
        let meta = try #require(p["meta"] as? [String: Any])
        #expect(meta.count == 1)
        let map = CBOR.map([
            CBORPair(.unsigned(1), .unsigned(try V029.int(p, "version"))),
            CBORPair(.unsigned(2), .text(try V029.string(p, "name"))),
            CBORPair(.unsigned(3), .text(try V029.string(p, "brief"))),
            CBORPair(.unsigned(4), try texts("protocols")),
            CBORPair(.unsigned(5), try texts("skills")),
            CBORPair(.unsigned(6), .bytes(try V029.hex(p, "card_hash"))),
            CBORPair(.unsigned(8), try texts("modalities")),
            CBORPair(.unsigned(9), .map([CBORPair(.text("v"), .unsigned(try V029.int(meta, "v")))])),
        ])
        #expect(map.encoded == record.payload, "profile payload fields")
        #expect(record.payload?.count == Int(try V029.int(r, "profile_payload_len")))
        // card_hash in the example is SHA-256 of the empty string.
        #expect(try V029.hex(p, "card_hash") == SHA256.hash([]))
        #expect(CBOR.map([CBORPair(.unsigned(1), .unsigned(1))]).encoded == (try V029.hex(r, "minimal_profile_payload_hex")))
    }

    // MARK: - precedence_cases[]

    @Test func precedenceCases() throws {
        let cases = try vectors.list("precedence_cases")
        #expect(cases.count == 6)
        for c in cases {
            let name = try V029.string(c, "name")
            let now = try V029.int(c, "now")
            let aJSON = try #require(c["A"] as? [String: Any]), bJSON = try #require(c["B"] as? [String: Any])
            #expect(try V029.int(aJSON, "now") == now && (try V029.int(bJSON, "now")) == now, "\(name) now")
            let a = try checkRecord(aJSON, now: now, name: "\(name)/A")
            let b = try checkRecord(bJSON, now: now, name: "\(name)/B")
            let key = try V029.nodeID(aJSON, "store_key")
            #expect(try V029.nodeID(bJSON, "store_key") == key, "\(name): one slot")

            // docs/protocol.md, "Record precedence": issued_at, then seq, then timestamp.
            let aNewer = try #require(c["record_is_newer_A_over_B"] as? Bool)
            let bNewer = try #require(c["record_is_newer_B_over_A"] as? Bool)
            #expect(a.isNewer(than: b) == aNewer, "\(name): A over B")
            #expect(b.isNewer(than: a) == bNewer, "\(name): B over A")
            let winner = try V029.string(c, "winner_v029")
            switch winner {
            case "A": #expect(aNewer && !bNewer, "\(name)")
            case "B": #expect(bNewer && !aNewer, "\(name)")
            default:
                #expect(winner.hasPrefix("neither"), "\(name): winner \(winner)")
                #expect(!aNewer && !bNewer, "\(name)")
            }

            let labelled = ["A": a, "B": b]
            for (order, heldField) in [("store_A_then_B", "held_after_A_then_B"), ("store_B_then_A", "held_after_B_then_A")] {
                let steps = try #require(c[order] as? [[String: Any]], "\(name) \(order)")
                #expect(steps.count == 2, "\(name) \(order)")
                var store = RecordStore(authority: RecordStore.recordAuthority)
                let sequence = order == "store_A_then_B" ? ["A", "B"] : ["B", "A"]
                for (label, step) in zip(sequence, steps) {
                    #expect(step["put"] as? String == label, "\(name) \(order)")
                    let record = try #require(labelled[label])
                    let result = put(record, at: key, now: now, into: &store)
                    try expectStoreStep(result, step, record: record, now: now, name: "\(name) \(order) \(label)")
                }
                let held = try #require(labelled[try V029.string(c, heldField)], "\(name) \(heldField)")
                #expect(store.getAll(key, recType: 0, now: now).map(\.record) == [held], "\(name): \(heldField)")
            }

            // v0.1.7 keeps its own precedence (seq, then timestamp); we do not model it, so its
            // record_is_newer_*, winner and held_after_* are not checked. What we can check is how
            // each recorded v0.1.7 put outcome is answered: `{1:true}` when stored, else `{1:false}`
            // (a duplicate included), the only STORE_RESP bodies a v0.1.7 node sends.
            let v017 = try #require(c["v017"] as? [String: Any], "\(name)")
            for order in ["store_A_then_B", "store_B_then_A"] {
                let steps = try #require(v017[order] as? [[String: Any]], "\(name) v017 \(order)")
                #expect(steps.count == 2)
                for step in steps { try expectV017StoreStep(step, name: "\(name) v017 \(order)") }
            }
        }
    }

    // MARK: - validity_cases[]

    @Test func validityCases() throws {
        let cases = try vectors.list("validity_cases")
        #expect(cases.count == 12)
        for c in cases {
            let name = try V029.string(c, "name")
            let now = try V029.int(c, "now")
            let record = try checkRecord(c, now: now, name: name)
            let key = try V029.nodeID(c, "store_key")

            var store = RecordStore(authority: RecordStore.recordAuthority)
            let result = put(record, at: key, now: now, into: &store)
            let accepted = try #require(c["accepted_v029"] as? Bool, "\(name)")
            #expect(result.succeeded == accepted, "\(name): accepted_v029 = \(accepted), our store: \(result)")
            let step = try #require(c["store_at_now"] as? [String: Any], "\(name)")
            #expect(step["put"] as? String == "record")
            try expectStoreStep(result, step, record: record, now: now, name: name)
            #expect(store.getAll(key, recType: 0, now: now).map(\.record) == (accepted ? [record] : []), "\(name): held")

            // v0.1.7: no future skew (verify with a skew of 0) and no delegation grace. Our
            // authority check reads `now` only for the delegation's expiry, and v0.1.7's "expired
            // iff now >= expires_at" is ours at now + grace, so both verdicts can be expressed.
            let v017 = try #require(c["v017"] as? [String: Any], "\(name)")
            let v017Verify = capture { () throws(RecordError) in try record.verify(now: now, futureSkew: 0) }
            #expect(matches(v017Verify, go: v017["verify_error"] as? String, record: record, now: now),
                    "\(name): v0.1.7 verify gave \(String(describing: v017Verify))")
            let v017Now = now + DelegationProof.expiryGrace
            let v017Authority = capture { () throws(AuthorityError) in try RecordAuthority.check(record, key: key, now: v017Now) }
            #expect(matches(v017Authority, go: v017["authority_error"] as? String, record: record, now: v017Now),
                    "\(name): v0.1.7 authority gave \(String(describing: v017Authority))")
            let v017Accepted = try #require(v017["accepted"] as? Bool)
            #expect(v017Accepted == (v017Verify == nil && v017Authority == nil), "\(name): v0.1.7 accepted")
            let v017Store = try #require(v017["store"] as? [String: Any])
            #expect((v017Store["put_error"] is NSNull) == v017Accepted, "\(name)")
            try expectV017StoreStep(v017Store, name: "\(name) v017")
        }
    }

    // MARK: - size_cases[]

    /// The vector gives sizes only, not the records, so the records are rebuilt: the profile cases
    /// from the agent_profile_0x02_delegated record (same address, key, seq, timestamp, TTL and
    /// delegation) with a payload of the stated length, the mailbox case with rec_type 0x80, a
    /// 512-byte payload, a Unix-nanosecond seq and a one-hour TTL. Payload contents are not in the
    /// vector and do not change a size; nor does which seq ≥ 2³² or TTL 256…65535 is chosen. The
    /// FIND_VALUE_RESP node and observed address are not given either: an IPv4 address gives the
    /// recorded 6-byte observed_addr, and an IPv4 contact with a port ≥ 256 the recorded 69-byte
    /// NodeInfo. `marshal_advisory` is the Go profile encoder's warning; we have no profile encoder,
    /// so it is not checked.
    @Test func sizeCases() throws {
        let cases = try vectors.list("size_cases")
        #expect(cases.count == 3)
        let profile = try #require(try vectors.list("records").first { try V029.string($0, "name") == "agent_profile_0x02_delegated" })
        let template = try SignedRecord(encoded: try V029.hex(profile, "signed_record_cbor_hex"))
        let a = try vectors.keyPair(label: "rfc8032-test1"), b = try vectors.keyPair(label: "seed-01..20")
        let c = try vectors.keyPair(label: "seed-sha256(a2al-test-vector-3)")
        let txID = try V029.hex(try vectors.object("conventions"), "tx_id")
        let observed = WireEndpoint(ip: try #require(IPAddress(text: "203.0.113.7")), port: 4001)
        let node = NodeInfo(address: c.address, endpoint: WireEndpoint(ip: try #require(IPAddress(text: "198.51.100.9")), port: 4001))
        #expect(node.encoded.count == 69)

        func push(_ r: SignedRecord, key: NodeID) throws -> Int {
            try Packet.encode(body: .dhtPush(DHTPush(key: key, record: r)), txID: txID, signer: c).count
        }
        func storeWithKey(_ r: SignedRecord, key: NodeID) throws -> Int {
            try Packet.encode(body: .store(Store(record: r, key: key)), txID: txID, signer: c).count
        }

        var seen: Set<String> = []
        for s in cases {
            let name = try V029.string(s, "name")
            seen.insert(name)
            if name == "mailbox_512B_payload" {
                let payload = [UInt8](repeating: 0x4D, count: 512)
                let seq: UInt64 = 1_700_000_000_000_000_000, ts: UInt64 = 1_700_000_000
                let selfSigned = try SignedRecord.sign(recType: RecordType.mailbox, payload: payload, seq: seq,
                                                       timestamp: ts, ttl: 3600, signer: a)
                let delegated = try SignedRecord.sign(address: a.address, recType: RecordType.mailbox, payload: payload,
                                                      seq: seq, timestamp: ts, ttl: 3600, signer: b,
                                                      delegation: template.delegation)
                let key = b.address.nodeID  // a mailbox record lives at its recipient's NodeID
                let selfLen = Int(try V029.int(s, "dht_push_datagram_len_self_signed"))
                let delegatedLen = Int(try V029.int(s, "dht_push_datagram_len_ed25519_delegated"))
                #expect(try push(selfSigned, key: key) == selfLen, "\(name) self-signed push")
                #expect(try push(delegated, key: key) == delegatedLen, "\(name) delegated push")
                // "a DHT_PUSH has the same size as the STORE (with key) of the same record".
                #expect(try storeWithKey(selfSigned, key: key) == selfLen, "\(name) self-signed store")
                #expect(try storeWithKey(delegated, key: key) == delegatedLen, "\(name) delegated store")
                continue
            }
            let record = try SignedRecord.sign(address: template.address, recType: template.recType,
                                               payload: [UInt8](repeating: 0x50, count: Int(try V029.int(s, "payload_len"))),
                                               seq: template.seq, timestamp: template.timestamp, ttl: template.ttl,
                                               signer: b, delegation: template.delegation)
            #expect(record.encoded.count == Int(try V029.int(s, "signed_record_len")), "\(name) record")
            let key = template.address.nodeID
            #expect(try storeWithKey(record, key: key) == Int(try V029.int(s, "store_with_key_datagram_len")), "\(name) store")
            #expect(try push(record, key: key) == Int(try V029.int(s, "dht_push_datagram_len")), "\(name) push")

            for (nodes, bodyField, datagramField) in [
                (nil as [NodeInfo]?, "find_value_resp_body_len_no_nodes", "find_value_resp_datagram_len_no_nodes"),
                ([node], "find_value_resp_body_len_1_node", "find_value_resp_datagram_len_1_node"),
            ] {
                let body = MessageBody.findValueResp(FindValueResp(nodes: nodes, record: nil, observed: observed, records: [record]))
                #expect(body.encoded.count == Int(try V029.int(s, bodyField)), "\(name) \(bodyField)")
                let datagram = Int(try V029.int(s, datagramField))
                if datagram <= ProtocolConstants.maxDatagramSize {
                    #expect(try Packet.encode(body: body, txID: txID, signer: c).count == datagram, "\(name) \(datagramField)")
                } else {
                    // Over 1200 bytes: we refuse to build it, as the reference transport refuses to send it.
                    #expect(throws: PacketError.oversize(datagram), "\(name) \(datagramField)") {
                        try Packet.encode(body: body, txID: txID, signer: c)
                    }
                }
            }
        }
        #expect(seen == ["agent_profile_350B_payload_ed25519_delegated", "agent_profile_700B_payload_ed25519_delegated",
                         "mailbox_512B_payload"])
    }

    // MARK: - Shared checks

    /// Decodes a record vector, checks every listed field, the re-encoding and a re-signing with
    /// the identity whose key signed it, and the recorded verify/authority/delegation verdicts at
    /// `now`.
    @discardableResult
    func checkRecord(_ r: [String: Any], now: UInt64, name: String) throws -> SignedRecord {
        let bytes = try V029.hex(r, "signed_record_cbor_hex")
        let record = try SignedRecord(encoded: bytes)
        #expect(record.encoded == bytes, "\(name) re-encodes")
        #expect(record.address.bytes == (try V029.hex(r, "address_hex")), "\(name) address")
        #expect(record.address.description == (try V029.string(r, "address_text")), "\(name) address text")
        #expect(record.pubkey == (try V029.hex(r, "pubkey_hex")), "\(name) pubkey")
        #expect(UInt64(record.recType) == (try V029.int(r, "rec_type")), "\(name) rec_type")
        #expect(record.seq == (try V029.int(r, "seq")), "\(name) seq")
        #expect(record.timestamp == (try V029.int(r, "timestamp")), "\(name) timestamp")
        #expect(UInt64(record.ttl) == (try V029.int(r, "ttl")), "\(name) ttl")
        #expect(record.payload == (try V029.hex(r, "payload_cbor_hex")), "\(name) payload")
        #expect(record.signature == (try V029.hex(r, "signature_hex")), "\(name) signature")
        #expect(record.signFieldsEncoded == (try V029.hex(r, "sign_fields_cbor_hex")), "\(name) signed fields")
        #expect(try V029.nodeID(r, "store_key") == record.address.nodeID, "\(name): sovereign key")

        // Re-sign with the signing identity: Ed25519 is deterministic, so the bytes must match.
        let signer = try vectors.keyPair(publicKey: record.pubkey)
        let resigned = try SignedRecord.sign(address: record.address, recType: record.recType, payload: record.payload,
                                             seq: record.seq, timestamp: record.timestamp, ttl: record.ttl,
                                             signer: signer, delegation: record.delegation)
        #expect(resigned.encoded == bytes, "\(name) re-signed")

        // Delegation: present exactly when the vector lists one; fields and verdict at now.
        if let d = r["delegation"] as? [String: Any] {
            let proofBytes = try V029.hex(d, "cbor_hex")
            #expect(record.delegation == proofBytes, "\(name) delegation bytes")
            #expect(d["parse_error"] is NSNull, "\(name)")
            let proof = try DelegationProof(encoded: proofBytes)
            #expect(proof.encoded == proofBytes, "\(name) delegation re-encodes")
            #expect(proof.agentAddr.bytes == (try V029.hex(d, "agent_addr")), "\(name) agent_addr")
            #expect(proof.masterPub == (try V029.hex(d, "master_pub")), "\(name) master_pub")
            #expect(proof.opPub == (try V029.hex(d, "op_pub")), "\(name) op_pub")
            #expect(proof.issuedAt == (try V029.int(d, "issued_at")), "\(name) issued_at")
            #expect(proof.expiresAt == (try V029.int(d, "expires_at")), "\(name) expires_at")
            #expect(UInt64(proof.scope) == (try V029.int(d, "scope")), "\(name) scope")
            #expect(record.delegationIssuedAt == proof.issuedAt, "\(name) precedence issued_at")
            let verdict = capture { () throws(DelegationError) in try proof.verify(now: now) }
            #expect(matches(verdict, go: d["verify_error_at_now"] as? String, record: record, now: now),
                    "\(name): delegation verify gave \(String(describing: verdict))")
        } else {
            #expect(record.delegation.isEmpty, "\(name): undeclared delegation")
            #expect(record.delegationIssuedAt == 0, "\(name)")
        }

        let verified = capture { () throws(RecordError) in try record.verify(now: now) }
        #expect(matches(verified, go: r["verify_error_at_now"] as? String, record: record, now: now),
                "\(name): verify gave \(String(describing: verified))")
        let key = try V029.nodeID(r, "store_key")
        let authorised = capture { () throws(AuthorityError) in try RecordAuthority.check(record, key: key, now: now) }
        #expect(matches(authorised, go: r["authority_error_at_now"] as? String, record: record, now: now),
                "\(name): authority gave \(String(describing: authorised))")
        return record
    }

    /// A put into `store`, as a result.
    func put(_ record: SignedRecord, at key: NodeID, now: UInt64, into store: inout RecordStore) -> StorePut {
        do { return .stored(try store.put(record, at: key, now: now)) } catch { return .failed(error) }
    }

    /// The STORE_RESP v0.2.9 sends for a put outcome (conventions.store_resp_mapping_v029): stored ⇒
    /// `{1:true}`; stale (an equal or newer record held) ⇒ `{1:true,2:true}`; any other refusal ⇒
    /// `{1:false,3:2}`. The stock host never refuses by policy, so reason 1 does not occur here.
    func storeResp(for put: StorePut) -> StoreResp {
        switch put {
        case .stored: return StoreResp(stored: true)
        case .failed(.stale): return StoreResp(stored: true, alreadyHad: true)
        case .failed: return StoreResp(stored: false, reason: StoreReason.recordInvalid)
        }
    }

    /// One recorded v0.2.9 store step: the put error, the STORE_RESP fields and their bytes.
    func expectStoreStep(_ result: StorePut, _ step: [String: Any], record: SignedRecord, now: UInt64, name: String) throws {
        let goError = step["put_error"] as? String
        #expect(step["put_error"] is NSNull || goError != nil, "\(name): put_error")
        #expect(matches(result.error, go: goError, record: record, now: now), "\(name): put gave \(result), reference: \(goError ?? "ok")")
        let resp = storeResp(for: result)
        let json = try #require(step["store_resp"] as? [String: Any], "\(name)")
        #expect(resp.stored == json["stored"] as? Bool, "\(name) stored")
        #expect(resp.alreadyHad == json["already_had"] as? Bool, "\(name) already_had")
        #expect(UInt64(resp.reason) == (try V029.int(json, "reason")), "\(name) reason")
        #expect(MessageBody.storeResp(resp).encoded == (try V029.hex(step, "store_resp_body_hex")), "\(name) STORE_RESP body")
    }

    /// One recorded v0.1.7 store step: a v0.1.7 node answers `{1:true}` when the put succeeded and
    /// `{1:false}` for every refusal, a duplicate included.
    func expectV017StoreStep(_ step: [String: Any], name: String) throws {
        #expect(step["put_error"] is NSNull || step["put_error"] is String, "\(name)")
        let resp = StoreResp(stored: step["put_error"] is NSNull)
        #expect(MessageBody.storeResp(resp).encoded == (try V029.hex(step, "store_resp_body_hex")), "\(name) STORE_RESP body")
    }

    // MARK: - Reference error texts

    /// True when our error (nil = success) is the one the reference reports as `go` (nil = success).
    func matches(_ error: (any Error)?, go: String?, record: SignedRecord, now: UInt64) -> Bool {
        let proofExpiry = (try? DelegationProof(encoded: record.delegation))?.expiresAt
        switch (go, error) {
        case (nil, nil):
            return true
        case ("dht: stale record", StoreError.stale?):
            return true
        case ("dht: sovereign key mismatch", StoreError.keyMismatch(let expected, _)?):
            return expected == record.address.nodeID
        case ("a2al/protocol: record expired", RecordError.expired(let at, let n)?),
             ("a2al/protocol: record expired", StoreError.invalid(.expired(let at, let n))?):
            return at == record.expiresAt && n == now
        case ("a2al/protocol: invalid record: timestamp in future", RecordError.timestampInFuture(let t, let n)?),
             ("a2al/protocol: invalid record: timestamp in future", StoreError.invalid(.timestampInFuture(let t, let n))?):
            return t == record.timestamp && n == now
        case ("a2al/identity: invalid delegation proof: expired", DelegationError.expired(let at, let n)?),
             ("a2al/identity: invalid delegation proof: expired", AuthorityError.delegation(.expired(let at, let n))?):
            return at == proofExpiry && n == now
        case ("a2al/identity: invalid delegation proof: expired", StoreError.unauthorized(let reason)?):
            // The store carries the authority error as its text.
            return proofExpiry.map { reason == AuthorityError.delegation(.expired(expiresAt: $0, now: now)).description } ?? false
        default:
            return false
        }
    }

    /// The error a throwing check raised, nil when it passed.
    func capture<E: Error>(_ body: () throws(E) -> Void) -> E? {
        do { try body(); return nil } catch { return error }
    }
}

/// The outcome of one `RecordStore.put`.
enum StorePut: CustomStringConvertible {
    case stored(NodeID)
    case failed(StoreError)

    var succeeded: Bool { if case .stored = self { return true } else { return false } }
    var error: StoreError? { if case .failed(let e) = self { return e } else { return nil } }
    var description: String {
        switch self {
        case .stored: return "stored"
        case .failed(let e): return "\(e)"
        }
    }
}

/// A minimal loader for the v0.2.9 reference vectors, read at run time from
/// `shared/vectors/reference-v0.2.9.json` beside the package root (the protocol test target has the
/// general loader; test targets cannot share code). A missing file fails the test.
struct V029Vectors {
    let root: [String: Any]

    static func load() throws -> V029Vectors {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
            let parent = dir.deletingLastPathComponent()
            try #require(parent.path != dir.path, "no Package.swift above \(#filePath)")
            dir = parent
        }
        let file = dir.deletingLastPathComponent().appendingPathComponent("shared/vectors/reference-v0.2.9.json")
        let data = try #require(FileManager.default.contents(atPath: file.path), "missing vector file \(file.path)")
        return V029Vectors(root: try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any]))
    }

    func list(_ name: String) throws -> [[String: Any]] {
        try #require(root[name] as? [[String: Any]], "no section \(name)")
    }

    func object(_ name: String) throws -> [String: Any] {
        try #require(root[name] as? [String: Any], "no section \(name)")
    }

    func keyPair(label: String) throws -> Ed25519.KeyPair {
        let id = try #require(try list("identities").first { $0["label"] as? String == label }, "no identity \(label)")
        return try Ed25519.KeyPair(seed: try V029.hex(id, "seed"))
    }

    func keyPair(publicKey: [UInt8]) throws -> Ed25519.KeyPair {
        let hex = publicKey.hex
        let id = try #require(try list("identities").first { $0["ed25519_public_key"] as? String == hex },
                              "no identity with key \(hex)")
        return try Ed25519.KeyPair(seed: try V029.hex(id, "seed"))
    }
}

/// Typed field readers for the vectors' JSON.
enum V029 {
    static func hex(_ obj: [String: Any], _ key: String) throws -> [UInt8] {
        try #require((obj[key] as? String).flatMap { [UInt8](hex: $0) }, "field \(key) is not hex")
    }

    static func int(_ obj: [String: Any], _ key: String) throws -> UInt64 {
        try #require(obj[key] as? NSNumber, "field \(key) is not a number").uint64Value
    }

    static func string(_ obj: [String: Any], _ key: String) throws -> String {
        try #require(obj[key] as? String, "field \(key) is not a string")
    }

    static func nodeID(_ obj: [String: Any], _ key: String) throws -> NodeID {
        try #require(NodeID(bytes: try hex(obj, key)), "field \(key) is not 32 bytes")
    }
}
