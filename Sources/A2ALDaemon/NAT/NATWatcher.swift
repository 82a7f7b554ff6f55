import A2ALCore
import A2ALDHT
import A2ALProtocol
import A2ALRPC
import A2ALThreads

/// Carries the classifier's verdicts to where they matter (docs/jsonrpc.md, `nat_type`): the
/// `nat_type` event, the node's own public endpoint (hairpin detection, docs/node-behaviour.md
/// §10.2), and the publications that follow the NAT (`AutoEndpointValues`), which a background task
/// republishes.
///
/// `observed` and `probed` run on the node's inbound path or the prober's task and only queue
/// work; republishing happens on the task that reads `changes`.
package final class NATWatcher: Sendable {
    package let classifier: NATClassifier
    let node: DHTNode
    let hub: EventHub
    let clock: any NodeClock
    /// Verdict changes for the republishing task, newest wins.
    let changes: AsyncStream<NATClassifier.Verdict>
    private let continuation: AsyncStream<NATClassifier.Verdict>.Continuation
    private let lastIP = SleepingLock<IPAddress?>(nil)
    private let order = SleepingLock(())

    package init(node: DHTNode, hub: EventHub, clock: any NodeClock, classifier: NATClassifier = NATClassifier()) {
        self.node = node
        self.hub = hub
        self.clock = clock
        self.classifier = classifier
        (changes, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    package static let eventName = "nat_type"

    /// One peer's observed_addr report.
    func observed(_ endpoint: WireEndpoint, by reporter: NodeID) {
        lastIP.withLock { $0 = endpoint.ip.normalized }
        step { classifier.observed(endpoint, by: reporter, now: clock.unixSeconds()) }
    }

    func probed(address: String, outcome: NATProber.Outcome) {
        step {
            classifier.probed(address: address, prober: outcome.prober, echoed: outcome.echoed, alive: outcome.alive,
                              now: clock.unixSeconds())
        }
    }

    func refresh(localEndpoints: Set<WireEndpoint>) {
        step { classifier.setLocalEndpoints(localEndpoints, now: clock.unixSeconds()) }
        step { classifier.tick(now: clock.unixSeconds()) }
    }

    func finish() { continuation.finish() }

    /// One change of evidence, under `order` so the verdict before it is the `old` of its event
    /// even when reports and probe outcomes arrive at once (the classifier never calls back).
    private func step(_ change: () -> NATClassifier.Verdict?) {
        order.withLock { _ in
            let old = classifier.verdict
            apply(old: old, change())
        }
    }

    private func apply(old: NATClassifier.Verdict, _ new: NATClassifier.Verdict?) {
        guard let new else { return }
        setSelfEndpoint(new)
        if old.natClass != new.natClass, hub.hasSubscribers(Self.eventName) {
            hub.publish(Self.eventName, Self.eventFields(old: old.natClass, new))
        }
        continuation.yield(new)
    }

    /// Behind a NAT the node tells peers behind the same NAT (our outside IP, another port)
    /// from itself by its agreed endpoint. Without a NAT there is no hairpin: other peers at our
    /// IP are on our host (another port), reachable as they are, so it is cleared.
    private func setSelfEndpoint(_ v: NATClassifier.Verdict) {
        switch v.natClass {
        case .public:
            node.setSelfExternalEndpoint(nil)
        case .symmetric:
            // Our outside port differs per peer; the IP is the newest reporters'.
            if let ip = lastReportedIP { node.setSelfExternalIP(ip) }
        case .unknown, .fullCone, .filtered:
            if let text = v.publicAddress, let (host, port) = AddressResolver.split(text), let ip = IPAddress(text: host) {
                node.setSelfExternalEndpoint(WireEndpoint(ip: ip, port: port))
            }
        }
    }

    private var lastReportedIP: IPAddress? { lastIP.withLock { $0 } }

    static func eventFields(old: NATClass, _ v: NATClassifier.Verdict) -> JSONObject {
        [
            "old": .string(old.name), "new": .string(v.natClass.name), "code": .integer(v.natClass.code),
            "public_addr": .optional(v.publicAddress), "evidence": evidenceJSON(v.evidence),
        ]
    }

    static func evidenceJSON(_ e: NATClassifier.Evidence) -> JSONValue {
        [
            "reporters": .integer(e.reporters), "distinct_ports": .integer(e.distinctPorts),
            "agreeing": .integer(e.agreeing), "cold_echoes": .integer(e.coldEchoes),
            "cold_failures": .integer(e.coldFailures), "carried_over": .bool(e.carriedOver),
        ]
    }
}
