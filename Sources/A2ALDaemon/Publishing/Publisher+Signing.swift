import A2ALCore
import A2ALDHT
import A2ALProtocol

extension Publisher {
    /// Signs `content` for publication `p` with a seq above every earlier one, backdated a few
    /// seconds for peers whose clocks lag (docs/deviations.md §8), and checks that it can travel.
    func sign(_ content: PublicationContent, for p: Publication, with keyPair: Ed25519.KeyPair, nowUnix: UInt64,
              _ s: inout PublisherState) throws(PublisherError) -> SignedRecord {
        let seq = s.nextSeq(after: p.lastSeq, nowUnix: nowUnix)
        let (timestamp, ttl) = SignedRecord.backdated(now: nowUnix, ttl: p.ttlSeconds)
        let record: SignedRecord
        do throws(RecordError) {
            record = try SignedRecord.sign(recType: content.recType, payload: content.payload, seq: seq,
                                           timestamp: timestamp, ttl: ttl, signer: keyPair)
        } catch {
            throw .signing(error.description)
        }
        if let problem = RecordFit.problem(record, key: content.key) { throw problem }
        return record
    }

    /// The agent's key and the rebuilt content of a stored publication.
    func material(of p: Publication, auto: AutoEndpointValues) throws(PublisherError) -> (PublicationContent, Ed25519.KeyPair) {
        guard let agent = try? Address(text: p.agent) else {
            throw .damagedPublication(id: p.id, reason: "agent \"\(p.agent)\" is not an address")
        }
        guard let fields = PublicationFields(p) else {
            throw .damagedPublication(id: p.id, reason: "the \(p.kind.rawValue) fields are missing")
        }
        guard let keyPair = agents.privateKey(for: agent) else { throw .unknownAgent(p.agent) }
        let content = try PublicationContent(fields.resolved(auto), agent: agent)
        guard content.key.description == p.key else {
            throw .damagedPublication(id: p.id, reason: "its key \(p.key) is not where the record belongs (\(content.key))")
        }
        return (content, keyPair)
    }

    /// Re-signs a stored publication with a higher seq and publishes it afresh.
    func republish(_ p: Publication, _ s: inout PublisherState) throws(PublisherError) {
        let (content, keyPair) = try material(of: p, auto: s.auto)
        let record = try sign(content, for: p, with: keyPair, nowUnix: clock.unixSeconds(), &s)
        do throws(DataFileError) { try store.recordSeq(p.id, record.seq) } catch { throw .storage(error) }
        do throws(DHTError) { try node.publish(record, at: content.key, renew: renewer(p.id)) } catch { throw .node(error) }
        s.live[p.id] = LiveRecord(record: record, key: content.key)
    }

    /// The closure the node calls at half-life to get a fresh copy of publication `id`.
    /// It holds the publisher weakly: the publisher holds the node and the node holds this
    /// closure, so a strong reference would be a cycle keeping both alive.
    func renewer(_ id: String) -> RecordRenewer {
        { [weak self] nowUnix in
            guard let self else { throw PublisherError.unknownPublication(id) }
            return try self.renewed(id, nowUnix: nowUnix)
        }
    }

    /// A re-signed copy of publication `id` for the node to republish; its seq is saved so a
    /// restart continues above it. A failed save is logged, not fatal: letting the record lapse
    /// would be worse, and the next signature is time-based anyway.
    func renewed(_ id: String, nowUnix: UInt64) throws(PublisherError) -> SignedRecord {
        try state.withLock { s throws(PublisherError) -> SignedRecord in
            guard let p = store.get(id) else { throw .unknownPublication(id) }
            let (content, keyPair) = try material(of: p, auto: s.auto)
            let record = try sign(content, for: p, with: keyPair, nowUnix: nowUnix, &s)
            do {
                try store.recordSeq(id, record.seq)
            } catch {
                logger.warning("renewed publication \(id) but cannot save its seq \(record.seq): \(error)")
            }
            s.live[id] = LiveRecord(record: record, key: content.key)
            return record
        }
    }
}
