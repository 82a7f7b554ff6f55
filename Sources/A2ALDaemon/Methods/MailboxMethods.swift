import A2ALCore
import A2ALDHT
import A2ALProtocol
import A2ALRPC

/// The `mailbox.*` methods of docs/jsonrpc.md: encrypted notes between agents, stored at the
/// recipient's node ID (docs/protocol.md §4.8). A note is published once and not renewed; it lives
/// for its TTL.
package enum MailboxMethods {
    package static let defaultTimeoutMs: Int64 = 10_000
    package static let defaultTTL: UInt32 = MailboxPayload.defaultTTL

    package static func register(into router: inout RPCRouter, node: DHTNode, agents: AgentStore, ledger: MailboxLedger) {
        router.register("mailbox.send", summary: "Encrypt a note from one of our agents to an address and store it at the recipient") { call in
            try await send(call, node: node, agents: agents)
        }
        router.register("mailbox.read", summary: "Fetch and decrypt the notes addressed to one of our agents") { call in
            try await read(call, node: node, agents: agents, ledger: ledger)
        }
        router.register("mailbox.ack", summary: "Mark notes mailbox.read returned as handled", blocks: true) { call in
            try ack(call, agents: agents, ledger: ledger)
        }
    }

    static func send(_ call: RPCCall, node: DHTNode, agents: AgentStore) async throws(RPCError) -> JSONObject {
        let params = call.params
        let from = try params.address("from")
        let to = try params.address("to")
        let body = try messageBody(params)
        let msgType = UInt8(try params.int("msg_type", in: 0...255, default: Int64(MailboxMessage.Kind.text)))
        let ttl = try params.ttl("ttl_s", default: defaultTTL)
        let timeout = try params.timeout(defaultMs: defaultTimeoutMs)
        try params.finish()
        let deadline = ContinuousClock.now + timeout

        guard let keyPair = agents.privateKey(for: from) else {
            throw .app(.notFound, "mailbox.send: no agent \(from.text) is held by this daemon (see agent.list)",
                       ["agent": .string(from.text)])
        }
        guard to.version == Address.Version.ed25519.rawValue else {
            throw .app(.badAddress, "mailbox.send: notes can only be encrypted to Ed25519 (0xA0) addresses; \(to.text) is not one",
                       ["address": .string(to.text)])
        }
        let recipientKey = try await RecipientKey.find(to, node: node, agents: agents, timeout: timeout)

        let payload: MailboxPayload
        do throws(MailboxError) {
            payload = try MailboxCrypto.seal(message: MailboxMessage(msgType: msgType, body: body), sender: from,
                                             recipient: to, recipientPublicKey: recipientKey)
        } catch .payloadTooLarge(let size) {
            // A body at the cap still overflows when msg_type takes a second CBOR byte (24 and up).
            throw .app(.invalidRecord, "mailbox.send: the sealed note is \(size) bytes; a mailbox record holds at most \(MailboxPayload.maxEncodedSize)",
                       ["reason": .string(MailboxError.payloadTooLarge(size).description)])
        } catch {
            throw .app(.badAddress, "mailbox.send: cannot encrypt to \(to.text): \(error)",
                       ["address": .string(to.text), "reason": .string(error.description)])
        }
        let record = try sign(payload, ttl: ttl, keyPair: keyPair, node: node)
        let key: NodeID
        do throws(DHTError) {
            key = try node.publish(record, at: to.nodeID)
        } catch {
            throw DHTErrorMapping.rpcError(error, "mailbox.send")
        }
        let remaining = max(deadline - ContinuousClock.now, .zero)
        let replicas = await ReplicaWait.confirmedReplicas(node: node, key: key, publisher: from.nodeID,
                                                           type: record.recType, within: remaining)
        return [
            "key": .string(key.description),
            "record": RecordJSON.render(record, key: key),
            "replicas": .integer(replicas),
        ]
    }

    /// The note's body: `text` (UTF-8) or `data` (base64), exactly one of them.
    static func messageBody(_ params: RPCParams) throws(RPCError) -> [UInt8] {
        let limit = MailboxCrypto.maxBodySize
        let text = try params.optionalString("text")
        let data = try params.optionalBase64("data", maxBytes: limit)
        switch (text, data) {
        case (let text?, nil):
            let bytes = Array(text.utf8)
            guard bytes.count <= limit else {
                throw params.invalid("text", "\(bytes.count) bytes of UTF-8; a note holds at most \(limit)")
            }
            return bytes
        case (nil, let data?):
            return data
        case (_?, _?):
            throw params.invalid("data", "give either text or data, not both")
        case (nil, nil):
            throw params.invalid("text", "required: give the note as text (a string) or data (base64)")
        }
    }

    /// A mailbox record (type 0x80) signed by the sender, backdated like every record we sign.
    static func sign(_ payload: MailboxPayload, ttl: UInt32, keyPair: Ed25519.KeyPair, node: DHTNode) throws(RPCError) -> SignedRecord {
        let now = SystemClock().unixSeconds()
        let (timestamp, widened) = SignedRecord.backdated(now: now, ttl: ttl)
        // Unix nanoseconds, as the reference numbers notes; every note is its own slot, so the
        // sub-second part only needs to differ, not to be exact.
        let seq = now &* 1_000_000_000 &+ UInt64.random(in: 0..<1_000_000_000)
        let record: SignedRecord
        do throws(RecordError) {
            record = try SignedRecord.sign(recType: RecordType.mailbox, payload: payload.encoded, seq: seq,
                                           timestamp: timestamp, ttl: widened, signer: keyPair)
        } catch {
            throw .internalError("mailbox.send: cannot sign the note: \(error)")
        }
        return record
    }
}
