import A2ALCore
import A2ALDHT
import A2ALProtocol
import A2ALThreads
import Logging

/// Keeps the records the daemon publishes for its agents alive: signs them with the agent's
/// key, hands them to the node (local store, background replication, re-signing at half-life
/// through the renew closure) and keeps `publications.json` in step so a restart republishes
/// them with a higher seq.
///
/// Every operation runs under one lock, so two calls on the same slot cannot interleave their
/// sign / save / publish steps. The node calls the renew closure outside its own locks, so
/// holding ours while calling into the node cannot deadlock.
package final class Publisher: Sendable {
    package let node: DHTNode
    package let agents: AgentStore
    package let store: PublicationStore
    let clock: any NodeClock
    let logger: Logger
    let state: SleepingLock<PublisherState>

    package init(node: DHTNode, agents: AgentStore, store: PublicationStore, clock: any NodeClock = SystemClock(),
                logger: Logger = DHTNode.silentLogger) {
        self.node = node
        self.agents = agents
        self.store = store
        self.clock = clock
        self.logger = logger
        state = SleepingLock(PublisherState(lastIssuedSeq: store.list().map(\.lastSeq).max() ?? 0))
    }

    /// Wall-clock Unix seconds as the publisher sees them (agent creation times, record times).
    package func nowUnix() -> UInt64 { clock.unixSeconds() }

    /// Re-signs every stored publication with a higher seq and publishes it. A publication
    /// that cannot be republished (its entry is damaged, the node refuses it) is logged and
    /// skipped, not dropped: the operator can still see and withdraw it. Those whose agent is
    /// gone were dropped at start-up (`dropOrphanPublications`).
    /// Returns how many were republished.
    @discardableResult
    package func start() async -> Int {
        var republished = 0
        for p in store.list() {
            do throws(PublisherError) {
                try state.withLock { s throws(PublisherError) in try republish(p, &s) }
                republished += 1
            } catch {
                logger.warning("cannot republish publication \(p.id) (\(p.kind.rawValue) of \(p.agent)): \(error)")
            }
        }
        return republished
    }

    /// Signs `fields` as `agent`, saves the publication and publishes the record. Publishing
    /// the same slot again (same agent, kind and key, and for custom records the same type)
    /// replaces that publication and keeps its id.
    package func publish(agent: Address, _ fields: PublicationFields, ttlSeconds: UInt32) throws(PublisherError) -> PublishedRecord {
        try state.withLock { s throws(PublisherError) -> PublishedRecord in
            guard let keyPair = agents.privateKey(for: agent) else { throw .unknownAgent(agent.text) }
            let content = try PublicationContent(fields.resolved(s.auto), agent: agent)
            let existing = store.find(kind: fields.kind, agent: agent.text, key: content.key.description,
                                      recType: fields.customType)
            var p = existing ?? Publication(id: PublicationStore.newID(), kind: fields.kind, agent: agent.text,
                                            key: content.key.description, ttlSeconds: ttlSeconds,
                                            createdAt: clock.unixSeconds(), lastSeq: 0)
            fields.apply(to: &p)
            p.ttlSeconds = ttlSeconds
            let record = try sign(content, for: p, with: keyPair, nowUnix: clock.unixSeconds(), &s)
            p.lastSeq = record.seq
            // Saved before it goes out: a record that is out is always one a restart renews.
            do throws(DataFileError) { try store.upsert(p) } catch { throw .storage(error) }
            do throws(DHTError) {
                try node.publish(record, at: content.key, renew: renewer(p.id))
            } catch {
                rollBack(p, to: existing)
                throw .node(error)
            }
            s.live[p.id] = LiveRecord(record: record, key: content.key)
            return PublishedRecord(publication: p, record: record, key: content.key)
        }
    }

    /// Forgets a publication and stops renewing it. False when there is none with that id.
    /// Records already stored (here and at replicas) stay until they expire.
    package func withdraw(_ id: String) throws(PublisherError) -> Bool {
        try state.withLock { s throws(PublisherError) -> Bool in
            let removed: Publication?
            do throws(DataFileError) { removed = try store.remove(id) } catch { throw .storage(error) }
            guard removed != nil else { return false }
            // Only this publication's replica set ends; the agent's others carry on.
            if let live = s.live[id] {
                node.removeReplicaSet(key: live.key, publisher: live.record.address.nodeID, recType: live.record.recType)
            }
            s.live[id] = nil
            return true
        }
    }

    /// Confirmed replica holders of the record `publisher` published at `key`.
    package func replicaCount(key: NodeID, publisher: NodeID, type: UInt8) -> Int {
        node.replicaHolders(key: key, publisher: publisher, recType: type).count
    }

    /// Every publication with the record it has out now.
    package func publications() -> [PublicationStatus] {
        let live = state.withLock { $0.live }
        return store.list().map { p in
            guard let current = live[p.id] else { return PublicationStatus(publication: p, record: nil, replicas: 0) }
            let replicas = replicaCount(key: current.key, publisher: current.record.address.nodeID,
                                        type: current.record.recType)
            return PublicationStatus(publication: p, record: current.record, replicas: replicas)
        }
    }

    /// The record a publication has out now.
    package func liveRecord(_ id: String) -> (record: SignedRecord, key: NodeID)? {
        state.withLock { s in s.live[id].map { ($0.record, $0.key) } }
    }

    /// Undoes the save of a publication the node refused: a new one is forgotten, a replaced
    /// one restored (keeping the burnt seq, so the next attempt goes above it).
    private func rollBack(_ p: Publication, to existing: Publication?) {
        do {
            if var old = existing {
                old.lastSeq = p.lastSeq
                try store.upsert(old)
            } else {
                try store.remove(p.id)
            }
        } catch {
            logger.warning("cannot undo saving publication \(p.id) after the node refused it: \(error)")
        }
    }
}
