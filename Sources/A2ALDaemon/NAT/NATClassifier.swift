import A2ALCore
import A2ALProtocol
import A2ALThreads

/// Turns evidence into a `NATClass` (docs/protocol.md, "NAT classification"). Pure: every call
/// passes the time, so tests drive it with a fake clock.
///
/// Evidence is of two kinds. Mapping: what peers report as our address (`observed_addr`);
/// reporters that agree on one port show a stable mapping, reporters that each see another port
/// show a symmetric NAT, and an agreed address that is one of our interfaces with our port shows
/// no NAT. Filtering: cold-inbound probes (`NATProber`); an echo that reached our socket from a
/// peer we had not sent to shows the NAT lets strangers in, a live peer whose echo never came
/// shows it does not.
package final class NATClassifier: Sendable {
    /// Reports older than this (seconds) are not mapping evidence.
    package static let reportWindow: UInt64 = 10 * 60
    /// Reporters needed for any mapping verdict.
    package static let minReporters = 2
    /// Reporters, each seeing a different port, needed to call the NAT symmetric.
    package static let symmetricReporters = 3
    /// Silent probes through live strangers needed to call the NAT filtering.
    package static let filteredFailures = 2

    package struct Verdict: Sendable, Equatable {
        package var natClass: NATClass
        /// The agreed outside address ("ip:port"), nil when there is none (symmetric, unknown).
        package var publicAddress: String?
        package var evidence: Evidence
    }

    package struct Evidence: Sendable, Equatable {
        package var reporters = 0
        package var distinctPorts = 0
        package var agreeing = 0
        package var coldEchoes = 0
        package var coldFailures = 0
        /// True when the filtering verdict comes from probes of an earlier address.
        package var carriedOver = false
    }

    private struct Report {
        var endpoint: WireEndpoint
        var at: UInt64
    }

    private struct State {
        var reports: [NodeID: Report] = [:]
        var local: Set<WireEndpoint> = []
        /// Probe outcomes for `probedAddress`.
        var probedAddress: String?
        var echoes: Set<NodeID> = []
        /// Silent probes through live strangers, one per probe: the same stranger may count
        /// again in a later round (a small network may have a single stranger left); an echo
        /// from any stranger outweighs them all.
        var failures: [NodeID] = []
        /// The last filtering verdict reached (full cone or filtered), kept across an address
        /// change until probes of the new address decide.
        var lastFiltering: NATClass?
        var verdict = Verdict(natClass: .unknown, publicAddress: nil, evidence: Evidence())
    }

    private let state = SleepingLock(State())

    package init() {}

    package var verdict: Verdict { state.withLock { $0.verdict } }

    /// The addresses our socket has (interface IPs with the bound port).
    package func setLocalEndpoints(_ endpoints: Set<WireEndpoint>, now: UInt64) -> Verdict? {
        state.withLock { s in
            s.local = Set(endpoints.map(\.normalized))
            return Self.reevaluate(&s, now: now)
        }
    }

    /// One peer's report of our address; returns the new verdict when it changed.
    package func observed(_ endpoint: WireEndpoint, by reporter: NodeID, now: UInt64) -> Verdict? {
        guard endpoint.port != 0 else { return nil }
        return state.withLock { s in
            if s.reports[reporter] == nil, s.reports.count >= ObservedAddressTracker.maxReporters,
               let oldest = s.reports.min(by: { $0.value.at < $1.value.at })?.key {
                s.reports[oldest] = nil
            }
            s.reports[reporter] = Report(endpoint: endpoint.normalized, at: now)
            return Self.reevaluate(&s, now: now)
        }
    }

    /// A cold-inbound probe of `address` through `prober`: `echoed` when the echo reached our
    /// socket, else `alive` when the prober answered a ping afterwards. A probe whose prober was
    /// not alive proves nothing and is not counted; nor is one of an address no longer agreed.
    package func probed(address: String, prober: NodeID, echoed: Bool, alive: Bool, now: UInt64) -> Verdict? {
        state.withLock { s in
            guard address == s.verdict.publicAddress, echoed || alive else { return nil }
            if s.probedAddress != address {
                s.probedAddress = address
                s.echoes = []
                s.failures = []
            }
            if echoed { s.echoes.insert(prober) } else { s.failures.append(prober) }
            return Self.reevaluate(&s, now: now)
        }
    }

    /// Re-reads the evidence as time passes (reports age out).
    package func tick(now: UInt64) -> Verdict? {
        state.withLock { Self.reevaluate(&$0, now: now) }
    }

    /// What probing should do now: the address to claim, nil when no probe is useful (no
    /// stable mapping, no NAT, or the NAT is symmetric).
    package var addressToProbe: String? {
        state.withLock { s in
            switch s.verdict.natClass {
            case .public, .symmetric: return nil
            case .unknown, .fullCone, .filtered: return s.verdict.publicAddress
            }
        }
    }

    /// Starts a fresh filtering test of the current address (periodic re-evaluation); the
    /// verdict reached so far stands until the new probes decide.
    package func restartProbes() {
        state.withLock { s in
            s.probedAddress = nil
            s.echoes = []
            s.failures = []
        }
    }

    /// True once probes of the current address have decided the filtering.
    package var probesDecided: Bool {
        state.withLock { s in
            s.probedAddress != nil && s.probedAddress == s.verdict.publicAddress
                && (!s.echoes.isEmpty || s.failures.count >= Self.filteredFailures)
        }
    }

    /// A verdict stays until evidence supports another: reports ageing out, or too few of them
    /// after the outside IP changed, leave it as it was (as `ObservedAddressTracker` keeps its
    /// address), so a quiet node does not flap back to unknown. Only a change of class or
    /// address is returned; fresher evidence behind the same verdict is kept silently.
    private static func reevaluate(_ s: inout State, now: UInt64) -> Verdict? {
        guard let next = evaluate(&s, now: now) else { return nil }
        let changed = next.natClass != s.verdict.natClass || next.publicAddress != s.verdict.publicAddress
        s.verdict = next
        return changed ? next : nil
    }

    /// nil when the evidence is too thin for any verdict.
    private static func evaluate(_ s: inout State, now: UInt64) -> Verdict? {
        var evidence = Evidence()
        guard let agreed = mapping(s, now: now, &evidence) else {
            // Mapping evidence aged out or is thin: the address stands, and probes of it may
            // still decide its filtering.
            guard let address = s.verdict.publicAddress, s.verdict.natClass != .public else { return nil }
            return filtering(&s, address: address, evidence: s.verdict.evidence)
        }
        guard let agreed else { return Verdict(natClass: .symmetric, publicAddress: nil, evidence: evidence) }
        if s.local.contains(agreed) {
            return Verdict(natClass: .public, publicAddress: agreed.description, evidence: evidence)
        }
        return filtering(&s, address: agreed.description, evidence: evidence)
    }

    /// The mapping the reports show: nil when too thin to tell, .some(nil) when symmetric,
    /// else the agreed endpoint.
    private static func mapping(_ s: State, now: UInt64, _ evidence: inout Evidence) -> WireEndpoint?? {
        // Only the newest outside IP counts: after the NAT's address changed, the old reports
        // say nothing about today's mapping.
        let recent = s.reports.values.filter { $0.at >= now || now - $0.at <= reportWindow }
        guard let newest = recent.max(by: { $0.at < $1.at }) else { return nil }
        let sameIP = recent.filter { $0.endpoint.ip == newest.endpoint.ip }
        var byPort: [UInt16: Int] = [:]
        for r in sameIP { byPort[r.endpoint.port, default: 0] += 1 }
        evidence.reporters = sameIP.count
        evidence.distinctPorts = byPort.count
        let best = byPort.max { a, b in a.value != b.value ? a.value < b.value : a.key > b.key }
        evidence.agreeing = best?.value ?? 0
        if sameIP.count >= symmetricReporters, evidence.agreeing == 1 { return .some(nil) }
        guard let best, best.value >= minReporters, best.value * 2 > sameIP.count else { return nil }
        return .some(WireEndpoint(ip: newest.endpoint.ip, port: best.key))
    }

    /// Full cone or filtered from the probes of `address`; the last verdict reached carries
    /// over until they decide.
    private static func filtering(_ s: inout State, address: String, evidence: Evidence) -> Verdict {
        var evidence = evidence
        let decidedHere = s.probedAddress == address && (!s.echoes.isEmpty || s.failures.count >= filteredFailures)
        if s.probedAddress == address {
            evidence.coldEchoes = s.echoes.count
            evidence.coldFailures = s.failures.count
            if !s.echoes.isEmpty {
                s.lastFiltering = .fullCone
            } else if s.failures.count >= filteredFailures {
                s.lastFiltering = .filtered
            }
        }
        evidence.carriedOver = s.lastFiltering != nil && !decidedHere
        return Verdict(natClass: s.lastFiltering ?? .unknown, publicAddress: address, evidence: evidence)
    }
}
