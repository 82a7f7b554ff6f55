// Fuzz target: signed records and what they carry (SignedRecord, verify, the authority
// policy, endpoint/topic/mailbox payloads, mailbox encryption, delegation proofs).
//
// Every input is tried as each of: a signed record, an endpoint, topic and mailbox payload,
// a mailbox plaintext, a delegation proof and a delegation message text. Nothing may crash,
// and:
// - a record re-encodes to bytes that decode to the same record; it is never newer than
//   itself;
// - re-signed with a fixed key, `verify(now: timestamp)` fails exactly when its payload
//   check does (never on the signature); with the fixed key's own address, the authority
//   policy accepts it at NodeID(address); signed by the fixed key under an Ed25519 delegation
//   from a second fixed key, the policy accepts it too;
// - every payload decodes again from its own encoding to the same value (topic: the same
//   bytes, as `meta` may hold NaNs); the validity checks agree before and after;
// - a delegation proof decodes again from its encoding; re-signed by the fixed master it
//   verifies exactly when its scope is 1;
// - a mailbox note built from the input seals and opens back to itself; opening a record's
//   payload with the wrong key fails cleanly.
import A2ALCore
import A2ALProtocol
import FuzzDriver
import FuzzSupport

@_cdecl("fuzz_record_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    a2al_fuzz_main(argc, argv)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let input = fuzzInput(start, count)
    if let record = try? SignedRecord(encoded: input) { checkRecord(record, input) }
    checkPayloads(input)
    checkMailboxRoundTrip(input)
    return 0
}

func verifyResult(_ r: SignedRecord, now: UInt64) -> Result<Void, RecordError> {
    do throws(RecordError) {
        try r.verify(now: now)
        return .success(())
    } catch {
        return .failure(error)
    }
}

func checkRecord(_ r: SignedRecord, _ input: [UInt8]) {
    let encoded = r.encoded
    let back = try? SignedRecord(encoded: encoded)
    invariant(back == r, "record \(r) re-encodes to \(encoded.hexText), which decodes to \(String(describing: back)); input \(input.hexText)")
    invariant(!r.isNewer(than: r), "a record is newer than itself: \(input.hexText)")
    _ = r.category
    _ = r.messageID
    _ = r.signFieldsEncoded
    _ = r.delegationIssuedAt

    let nows: [UInt64] = [0, r.timestamp, r.timestamp &+ 61, r.expiresAt, r.expiresAt &+ 1, .max]
    for now in nows {
        _ = verifyResult(r, now: now)
        _ = r.isExpired(now: now)
        _ = try? RecordAuthority.check(r, key: r.address.nodeID, now: now)
    }
    let payloadValid = (try? r.decodedPayload()) != nil
    if let topic = try? TopicPayload(encoded: r.payload ?? []) {
        _ = try? RecordAuthority.check(r, key: topic.key, now: r.timestamp)
    }

    // Re-signed by the fixed key: the signature always holds, so verify at the signing time
    // fails exactly when the payload check does.
    var s = r
    s.pubkey = fuzzKey.publicKey
    s.signature = fuzzKey.sign(s.signingPreimage)
    let verified = verifyResult(s, now: s.timestamp)
    switch verified {
    case .success: invariant(payloadValid, "verify accepts a record whose payload check fails: \(input.hexText)")
    case .failure(.invalidPayload): invariant(!payloadValid, "verify refuses a payload decodedPayload accepts: \(input.hexText)")
    case .failure(let e): invariant(false, "re-signed record fails verify(now: timestamp) with \(e): \(input.hexText)")
    }

    // Self-signed for the fixed key's own address: the authority policy accepts it.
    var own = s
    own.address = fuzzKey.address
    own.delegation = []
    own.signature = fuzzKey.sign(own.signingPreimage)
    do {
        try RecordAuthority.check(own, key: own.address.nodeID, now: own.timestamp)
    } catch {
        invariant(false, "self-signed record refused by the authority policy: \(error); input \(input.hexText)")
    }

    // Signed by the fixed key on behalf of the master key, with a fresh Ed25519 delegation.
    var delegated = s
    delegated.address = fuzzMasterKey.address
    let proof = DelegationProof.signEd25519(master: fuzzMasterKey, opPub: fuzzKey.publicKey, issuedAt: r.seq, expiresAt: 0)
    delegated.delegation = proof.encoded
    delegated.signature = fuzzKey.sign(delegated.signingPreimage)
    do {
        try RecordAuthority.check(delegated, key: delegated.address.nodeID, now: r.timestamp)
    } catch {
        invariant(false, "delegated record refused by the authority policy: \(error); input \(input.hexText)")
    }
    invariant(delegated.delegationIssuedAt == r.seq, "delegationIssuedAt misreads a fresh proof")

    if !r.delegation.isEmpty { checkDelegation(r.delegation) }
    if let payload = r.payload {
        checkPayloads(payload)
        if r.category == .mailbox { openForeignMailbox(r, payload) }
    }
}

func checkPayloads(_ bytes: [UInt8]) {
    if let e = try? EndpointPayload(encoded: bytes) {
        let valid = (try? e.validate()) != nil
        let back = try? EndpointPayload(encoded: e.encoded)
        invariant(back == e, "endpoint payload \(e) does not survive re-encoding: \(bytes.hexText)")
        invariant(((try? back?.validate()) != nil) == valid, "endpoint validity changes on re-encoding: \(bytes.hexText)")
    }
    if let t = try? TopicPayload(encoded: bytes) {
        let valid = (try? t.validate()) != nil
        let encoded = t.encoded
        guard let back = try? TopicPayload(encoded: encoded) else {
            invariant(false, "topic payload re-encoding \(encoded.hexText) does not decode: \(bytes.hexText)")
            return
        }
        invariant(back.encoded == encoded, "topic payload encoding is not a fixed point: \(bytes.hexText)")
        invariant(((try? back.validate()) != nil) == valid, "topic validity changes on re-encoding: \(bytes.hexText)")
        invariant(back.key == t.key, "topic key changes on re-encoding: \(bytes.hexText)")
    }
    if let m = try? MailboxPayload(encoded: bytes) {
        let back = try? MailboxPayload(encoded: m.encoded)
        invariant(back == m, "mailbox payload does not survive re-encoding: \(bytes.hexText)")
    }
    if let m = try? MailboxMessage(encoded: bytes) {
        let back = try? MailboxMessage(encoded: m.encoded)
        invariant(back == m, "mailbox plaintext does not survive re-encoding: \(bytes.hexText)")
    }
    checkDelegation(bytes)
    _ = try? DelegationMessage.parse(String(decoding: bytes, as: UTF8.self))
}

func checkDelegation(_ bytes: [UInt8]) {
    guard let p = try? DelegationProof(encoded: bytes) else { return }
    let back = try? DelegationProof(encoded: p.encoded)
    invariant(back == p, "delegation proof \(p) does not survive re-encoding: \(bytes.hexText)")
    for now in [0, p.issuedAt, p.expiresAt, p.expiresAt &+ 60, UInt64.max] {
        _ = try? p.verify(now: now)
        _ = p.isExpired(now: now)
    }
    _ = p.ed25519Preimage
    if !p.message.isEmpty { _ = try? DelegationMessage.parse(p.message) }

    // Re-signed by the fixed master: at time 0 nothing has expired, so only the scope decides.
    var q = p
    q.masterPub = fuzzMasterKey.publicKey
    q.agentAddr = fuzzMasterKey.address
    q.message = ""
    q.signature = fuzzMasterKey.sign(q.ed25519Preimage)
    let ok = (try? q.verify(now: 0)) != nil
    invariant(ok == (q.scope == DelegationProof.networkScope),
              "re-signed delegation (scope \(q.scope)) verify=\(ok): \(bytes.hexText)")
    let parsed = try? DelegationProof(encoded: q.encoded)
    invariant(parsed == q, "re-signed delegation does not parse back: \(bytes.hexText)")
}

/// A foreign mailbox note opened with the fixed key, as its claimed recipient: every
/// field is checked and decryption fails without a crash.
func openForeignMailbox(_ r: SignedRecord, _ payload: [UInt8]) {
    let recipient = (try? MailboxPayload(encoded: payload))?.recipient.flatMap { Address(bytes: $0) } ?? fuzzKey.address
    _ = try? MailboxCrypto.open(record: r, ownAddress: recipient, ownSeed: fuzzKey.seed)
}

/// The input as a mailbox note from the master key to the fixed key: sealed (fixed ephemeral
/// key and nonce), it opens back to the same note.
func checkMailboxRoundTrip(_ input: [UInt8]) {
    let message = MailboxMessage(msgType: input.first ?? 0, body: input.count > 1 ? Array(input.dropFirst()) : nil)
    guard let sealed = try? MailboxCrypto.seal(message: message, sender: fuzzMasterKey.address, recipient: fuzzKey.address,
                                               recipientPublicKey: fuzzKey.publicKey,
                                               ephemeralPrivateKey: [UInt8](repeating: 0x42, count: 32),
                                               nonce: [UInt8](repeating: 0x24, count: 12)) else {
        invariant(input.count > MailboxCrypto.maxBodySize, "sealing a \(input.count)-byte note failed: \(input.hexText)")
        return
    }
    let record = SignedRecord(address: fuzzMasterKey.address, recType: RecordType.mailbox, payload: sealed.encoded,
                              seq: 1, timestamp: 1, ttl: 60, pubkey: fuzzMasterKey.publicKey, signature: [])
    do {
        let (sender, opened) = try MailboxCrypto.open(record: record, ownAddress: fuzzKey.address, ownSeed: fuzzKey.seed)
        invariant(sender == fuzzMasterKey.address && opened == message, "mailbox round trip changed the note: \(input.hexText)")
    } catch {
        invariant(false, "a sealed note does not open: \(error); input \(input.hexText)")
    }
}
