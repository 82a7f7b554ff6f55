import A2ALCore
import A2ALDHT
import A2ALProtocol
import Logging

extension Daemon {
    /// Between rounds while the NAT class is undecided, and once it is.
    static let natUndecidedInterval: Duration = .seconds(10)
    static let natDecidedInterval: Duration = .seconds(30)
    /// Decided filtering is tested again this often (docs/protocol.md, "NAT classification").
    static let natReprobeInterval: Duration = .seconds(600)
    /// Peers pinged each round for fresh observed_addr reports, so a changed public address
    /// shows within a round or two even on an idle node.
    static let natObservers = 2

    /// The NAT classification's two tasks: one gathers evidence (pings for observed
    /// addresses, cold-inbound probes), the other republishes what follows the NAT when the
    /// verdict changes.
    func startNATWork(nat: NATWatcher, publisher: Publisher, prober: NATProber) {
        let node = self.node, logger = self.logger
        background.spawn {
            for await verdict in nat.changes {
                logger.info("nat classification", metadata: [
                    "nat_type": "\(verdict.natClass.name)", "public_addr": "\(verdict.publicAddress ?? "none")",
                ])
                publisher.followNAT(AutoEndpointValues(verdict))
            }
        }
        background.spawn {
            var lastRound: Tick?
            while !Task.isCancelled {
                if let local = node.localAddress.udp { nat.refresh(localEndpoints: LocalInterfaces.endpoints(of: local)) }
                await Self.askForObservations(node)
                if let text = nat.classifier.addressToProbe, let claimed = Self.endpoint(text) {
                    let now = prober.clock.now()
                    let stale = lastRound.map { now - $0 >= Self.natReprobeInterval } ?? true
                    if !nat.classifier.probesDecided || stale {
                        if stale { nat.classifier.restartProbes() }
                        lastRound = now
                        for outcome in await prober.round(claimed: claimed) { nat.probed(address: text, outcome: outcome) }
                    }
                }
                // Settled: no NAT or a symmetric one (nothing to probe), or probes decided.
                let verdict = nat.classifier.verdict
                let settled = nat.classifier.addressToProbe == nil ? verdict.natClass != .unknown : nat.classifier.probesDecided
                let pause = settled ? Self.natDecidedInterval : Self.natUndecidedInterval
                do { try await Task.sleep(for: pause) } catch { break }
            }
            nat.finish()
        }
    }

    /// Pings a few verified peers; their replies carry our address as they see it.
    static func askForObservations(_ node: DHTNode) async {
        let peers = node.routingEntries().filter { $0.verifiedAt != nil }.shuffled().prefix(natObservers)
        await withTaskGroup(of: Void.self) { group in
            for p in peers {
                guard let e = p.contact.endpoint else { continue }
                group.addTask { _ = try? await node.ping(.udp(e), expectedID: p.contact.nodeID,
                                                        timeout: NATProber.pingTimeout) }
            }
        }
    }

    static func endpoint(_ text: String) -> WireEndpoint? {
        guard let (host, port) = AddressResolver.split(text), let ip = IPAddress(text: host) else { return nil }
        return WireEndpoint(ip: ip, port: port)
    }
}
