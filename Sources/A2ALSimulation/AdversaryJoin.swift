import A2ALCore
import A2ALDHT
import A2ALProtocol

extension AdversaryNode {
    /// How an adversary's join went.
    public struct JoinOutcome: Sendable {
        public var queried = 0
        public var answered = 0
        public var announced = 0

        public init() {}
    }

    /// Joins as an honest node would (docs/benchmarks.md, "Adversaries in the simulator"): an
    /// iterative FIND_NODE for its own ID through `seeds`, α = 3 at a time for up to `rounds`
    /// rounds. Every honest node it asks admits it as a verified contact (a verified request
    /// registers its sender, docs/node-behaviour.md §4.2), which is how adversaries get into the
    /// routing tables of the nodes near them.
    public func join(seeds: [PeerAddress], rounds: Int = 5, timeout: Duration = .seconds(2)) async -> JoinOutcome {
        var outcome = JoinOutcome()
        var queried = Set<PeerAddress>()
        var learned: [NodeID: NodeInfo] = [:]
        var batch = seeds
        for _ in 0...rounds {
            guard !batch.isEmpty else { break }
            queried.formUnion(batch)
            let replies = await ask(batch, .findNode(FindNode(target: nodeID)), timeout: timeout)
            outcome.queried += batch.count
            for reply in replies {
                outcome.answered += 1
                guard case .findNodeResp(let resp) = reply.body else { continue }
                for info in resp.nodes ?? [] where info.isConsistent && info.nodeID != nodeID { learned[info.nodeID] = info }
            }
            batch = learned.values
                .sorted { nodeID.isCloser($0.nodeID, than: $1.nodeID) }
                .map { PeerAddress.udp($0.endpoint) }
                .filter { !queried.contains($0) }
                .prefix(3).map { $0 }
        }
        return outcome
    }

    /// PINGs `targets` (at most 16 at once), each answered PING making the receiver admit this
    /// identity; what a Sybil does to push into as many routing tables as it can.
    public func announce(to targets: [PeerAddress], timeout: Duration = .seconds(2)) async -> Int {
        var answered = 0
        var rest = targets[...]
        while !rest.isEmpty {
            let chunk = Array(rest.prefix(16))
            rest = rest.dropFirst(chunk.count)
            answered += await ask(chunk, .ping(Ping(address: address)), timeout: timeout).count
        }
        return answered
    }

    /// Sends `body` to every peer at once and returns the replies that came back in time.
    private func ask(_ peers: [PeerAddress], _ body: MessageBody, timeout: Duration) async -> [Packet] {
        await withTaskGroup(of: Packet?.self) { group in
            for peer in peers { group.addTask { await self.request(body, to: peer, timeout: timeout) } }
            var out: [Packet] = []
            for await reply in group { if let reply { out.append(reply) } }
            return out
        }
    }
}
