import A2ALCore

/// Why `Publisher.removeAgent` failed: withdrawing the agent's publications, or forgetting
/// the agent itself (its publications are gone by then).
package enum AgentRemovalError: Error, Sendable, Equatable {
    case publications(PublisherError)
    case agents(AgentStoreError)
}

extension Publisher {
    /// Forgets `address` and every publication it has, and stops replicating anything it
    /// published (mailbox notes it sent included). Returns how many publications there were;
    /// nil when the daemon holds no such agent.
    ///
    /// Both steps run under the publisher's lock, which `publish` holds from "the agent exists"
    /// to "its publication is saved": a publish for this agent therefore either ran before (and
    /// its publication is withdrawn here) or runs after (and finds no agent), so no publication
    /// outlives its agent (docs/security.md, "Local clients"). Publications go first: if
    /// forgetting the agent then fails, it stays held with nothing published, never the reverse.
    package func removeAgent(_ address: Address) throws(AgentRemovalError) -> Int? {
        try state.withLock { s throws(AgentRemovalError) -> Int? in
            guard agents.contains(address) else { return nil }
            let withdrawn: [Publication]
            do throws(DataFileError) {
                withdrawn = try store.removeAll(agent: address.text)
            } catch {
                throw .publications(.storage(error))
            }
            for p in withdrawn { s.live[p.id] = nil }
            node.removeReplicaSets(publisher: address.nodeID)
            let removed: Bool
            do throws(AgentStoreError) { removed = try agents.remove(address) } catch { throw .agents(error) }
            return removed ? withdrawn.count : nil
        }
    }

    /// Drops the publications whose agent the daemon no longer holds — left by a daemon
    /// without the lock above, or by an agents file restored from an older copy — and logs
    /// each, so a restart never keeps renewing records nobody can withdraw by agent. Called at
    /// start-up, before anything is republished. Returns what was dropped.
    @discardableResult
    package func dropOrphanPublications() throws(DataFileError) -> [Publication] {
        try state.withLock { s throws(DataFileError) -> [Publication] in
            let dropped = try store.removeAll { p in
                guard let agent = try? Address(text: p.agent) else { return false }
                return !agents.contains(agent)
            }
            for p in dropped {
                s.live[p.id] = nil
                logger.warning("dropping publication \(p.id) (\(p.kind.rawValue) at \(p.key)): its agent \(p.agent) is no longer held",
                               metadata: ["file": "\(store.path)"])
            }
            return dropped
        }
    }
}
