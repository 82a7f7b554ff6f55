import A2ALCore
import A2ALDHT
import A2ALProtocol
import A2ALRPC

extension MailboxMethods {
    /// The recipient's Ed25519 public key, which sealing a note needs. An address is only a
    /// hash of its key (0xA0 || SHA-256(key)[0:20]), so the key has to come from something the
    /// recipient signed: one of our own agents, a record of it we hold, or its endpoint record
    /// on the network.
    enum RecipientKey {
        static func find(_ to: Address, node: DHTNode, agents: AgentStore, timeout: Duration) async throws(RPCError) -> [UInt8] {
            if let own = agents.privateKey(for: to) { return own.publicKey }
            if let held = node.localGet(byAddress: to).first(where: { signs(to, $0) }) { return held.pubkey }
            let resolved = try await withCallTimeout(timeout, "mailbox.send: resolving \(to.text)") { () async throws -> VerifiedRecord? in
                do throws(DHTError) {
                    return try await node.resolve(to, timeout: lookupDeadline(within: timeout)).verified
                } catch .noEndpoint {
                    return nil
                }
            }
            guard let record = resolved, signs(to, record) else {
                throw .app(.notFound, "mailbox.send: no endpoint record of \(to.text) was found; its public key, "
                           + "needed to encrypt the note, is only known from a record it signed",
                           ["address": .string(to.text)])
            }
            return record.pubkey
        }

        /// True when `record` was signed by the key `address` is derived from (not a delegate's).
        static func signs(_ address: Address, _ record: VerifiedRecord) -> Bool {
            Address.ed25519(publicKey: record.pubkey) == address
        }
    }
}
