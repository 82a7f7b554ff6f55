import A2ALDaemon
import A2ALRPC
import Dispatch
import Synchronization
import Testing

/// `agent.remove` racing `publish.endpoint` / `publish.topic` for the same agent, through the
/// real method table: a publication must never outlive its agent, in memory, in the node's
/// replica sets or in publications.json (docs/security.md, "Local clients").
@Suite struct AgentRemovePublishRaceTests {
    static let trials = 200
    static let publishers = 4
    /// Publishes that succeeded, and the agents (trials) they were for.
    static let published = Mutex<(total: Int, trials: Set<String>)>((0, []))

    @Test func removeRacingPublishLeavesNoOrphanPublication() async throws {
        try await withCluster(PubDaemon(node: try await PubNetwork(ipBase: 0x0a0a_0001).node(0))) { d in
            var orphaned: [String] = []
            let threads = (0..<Self.publishers + 2).map { QueueTaskExecutor("race-client-\($0)") }
            for trial in 0..<Self.trials {
                let agent = try await d.createAgent("race-\(trial)")
                // Each client on a thread of its own, as on a machine with a core per client.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for worker in 0..<Self.publishers {
                        group.addTask(executorPreference: threads[worker]) {
                            try await Self.publishUntilGone(d, agent: agent, topic: worker % 2 == 1)
                        }
                    }
                    // Other agents coming and going keep the agent store busy, as on a daemon with
                    // other clients, which widens any gap between "agent exists" and "add publication".
                    group.addTask(executorPreference: threads[Self.publishers]) { try await Self.churnUntilGone(d, agent: agent) }
                    group.addTask(executorPreference: threads[Self.publishers + 1]) {
                        _ = try await d.call("agent.remove", ["address": .string(agent)])
                    }
                    try await group.waitForAll()
                }
                let inMemory = d.publications.list().filter { $0.agent == agent }
                let listed = try await d.call("publish.list").pubArray("publications")
                    .filter { $0.objectValue?["agent"]?.stringValue == agent }
                let onDisk = try PublicationStore(path: d.dir.publicationsPath).list().filter { $0.agent == agent }
                if !inMemory.isEmpty || !listed.isEmpty || !onDisk.isEmpty {
                    orphaned.append("trial \(trial): \(inMemory.count) in memory, \(listed.count) listed, \(onDisk.count) in publications.json")
                }
            }
            #expect(orphaned.isEmpty, "publications outlived their agent in \(orphaned.count) of \(Self.trials) trials: \(orphaned)")
            // Otherwise the remove always came first and nothing raced.
            let (published, raced) = Self.published.withLock { ($0.total, $0.trials.count) }
            print("race: \(published) publishes succeeded, in \(raced) of \(Self.trials) trials")
            #expect(raced > 0, "no publish succeeded before its agent was removed")
            #expect(try await d.call("agent.list").pubArray("agents").isEmpty)
            #expect(d.node.replicationSummary.sets == 0, "an orphan publication is still being replicated")
        }
    }

    /// Creates and removes other agents until `agent` is gone.
    static func churnUntilGone(_ d: PubDaemon, agent: String) async throws {
        let target = try pubAddress(agent)
        while d.agents.contains(target) {
            let other = try await d.createAgent("churn")
            _ = try await d.call("agent.remove", ["address": .string(other)])
        }
    }

    /// Publishes for `agent` again and again until the daemon says it holds no such agent.
    static func publishUntilGone(_ d: PubDaemon, agent: String, topic: Bool) async throws {
        let params: JSONObject = topic
            ? ["agent": .string(agent), "topic": "race", "timeout_ms": 1]
            : ["agent": .string(agent), "endpoints": ["quic://10.10.0.1:4001"], "timeout_ms": 1]
        for _ in 0..<10_000 {
            do {
                _ = try await d.call(topic ? "publish.topic" : "publish.endpoint", params)
                published.withLock {
                    $0.total += 1
                    $0.trials.insert(agent)
                }
            } catch let e as RPCError where e.data?["kind"]?.stringValue == RPCError.Kind.notFound.rawValue {
                return
            }
            await Task.yield()
        }
        Issue.record("the agent was still there after 10,000 publishes")
    }
}

/// Runs a task's jobs on a serial dispatch queue of its own, so tasks given different ones run
/// on different threads at once rather than taking turns on the (possibly 2-thread) pool.
final class QueueTaskExecutor: TaskExecutor {
    let queue: DispatchQueue

    init(_ label: String) { queue = DispatchQueue(label: label) }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
