import A2ALSimulation
import A2ALDHT

/// Command-line settings of one simulation run. Parsed by hand (no dependency) and validated
/// up front, because a bad value found after creating thousands of nodes wastes minutes.
struct SimOptions: Sendable {
    var nodes = 500
    var latencyMs = 10.0
    var jitterMs = 0.0
    var loss = 0.0
    var churn = 0.0
    var lookups = 200
    var seed: UInt64 = 1
    var bootstrapConcurrency = 32
    /// Node starts are spread evenly over this many seconds so their 15 s maintenance passes do
    /// not all fire at the same instant (a herd no real network has). 0 starts all at once.
    var staggerSeconds = 15.0
    /// Upper bound on waiting for the network to fall quiet after publishing.
    var settleSeconds = 60.0
    /// Fractions of the nodes that behave like v0.1.7 and v0.2.9 reference nodes (wire
    /// profiles); the rest run ours. Chosen from the seed.
    var legacyFraction = 0.0
    var go029Fraction = 0.0
    /// Trials per ordered profile pair in the version phase; nil = 10 on a mixed network, none
    /// otherwise.
    var versionTrials: Int?
    /// Which clock nodes, network and phases share (docs/benchmarks.md, "Virtual clock").
    var clock = SimClock.Kind.virtual
    /// Iterative FIND_NODE lookups after the resolves (scored for recall against the truth).
    var findNodeLookups = 200
    /// FIND_NODE lookups in flight at once (from distinct queriers).
    var findNodeConcurrency = 8
    /// Bootstrap tries per node, each through fresh seeds, before it counts as failed.
    var joinAttempts = 4
    /// Fraction of the nodes that are adversaries of `adversaryBehaviour` (docs/benchmarks.md,
    /// "Adversaries in the simulator"); 0 runs the ordinary phases instead.
    var adversaryFraction = 0.0
    var adversaryBehaviour = AdversaryBehaviour.lie
    /// Disjoint paths of the second resolve pass of an adversary run, beside the single-path
    /// one over the same queriers and targets (docs/routing.md §3.13).
    var disjointPaths = 3
    var singleAgain = false
    /// Whether honest nodes store and search outside rings of ground identities
    /// (docs/routing.md §3.14); off to measure the network without it.
    var searchPastRings = true

    /// Whether any node is asked to run a reference profile.
    var mixed: Bool { legacyFraction > 0 || go029Fraction > 0 }
    /// Trials per profile pair the version phase runs (0 = no version phase).
    var versionPhaseTrials: Int { versionTrials ?? (mixed ? 10 : 0) }

    static let usage = """
    usage: a2al-sim [options]
      --nodes N                  nodes in the network (2...10000, default 500)
      --latency-ms L             one-way latency in ms (default 10)
      --jitter-ms J              extra uniform delay 0...J ms per datagram (default 0)
      --loss P                   datagram loss probability 0...1 (default 0)
      --churn F                  fraction of nodes closed before the lookup phase, 0...<1 (default 0)
      --lookups M                resolves to run, sequentially (default 200)
      --seed S                   seed for node choices, loss and jitter (default 1)
      --bootstrap-concurrency C  joins/publishes in flight at once (default 32)
      --stagger-start-s T        spread node starts over T s so maintenance passes are not
                                 synchronised (default 15 = one maintenance period; 0 = at once)
      --settle-seconds T         max wait for replication to fall quiet (default 60)
      --legacy-fraction F        fraction of nodes behaving as v0.1.7 reference nodes (default 0)
      --go029-fraction F         fraction of nodes behaving as v0.2.9 reference nodes (default 0);
                                 the two fractions together at most 1, the rest run ours
      --version-trials K         resolves and topic searches per ordered pair of wire profiles
                                 (default 10 when a fraction is set, else no version phase)
      --clock virtual|real       virtual (default): discrete-event time that jumps to the next
                                 timer when nothing can run, so a busy CPU delays nothing;
                                 real: SystemClock
      --find-node-lookups K      iterative FIND_NODE lookups after the resolves (default 200)
      --find-node-concurrency C  FIND_NODE lookups in flight, distinct queriers (default 8)
      --join-attempts A          bootstrap tries per node, fresh seeds each (default 4)
      --adversaries F            fraction 0...0.5 of the nodes that are adversaries (default 0);
                                 runs the adversary scenario instead of the ordinary phases
      --behaviour B              what adversaries do: drop, lie, stale, sybil, eclipse (default lie)
      --disjoint-paths D         an adversary run resolves the same targets twice: one path, then
                                 D disjoint paths (2...\(LookupConstants.maxDisjointPaths), default 3)
      --single-again             then once more over one path (`single_path_again`), which
                                 tells the paths' effect from that of the time between phases
      --no-ring-search           honest nodes do not look for rings of ground identities nor
                                 store and search outside them (docs/routing.md §3.14)
      --help                     this text
    Prints one JSON report on stdout; progress goes to stderr.
    """

    /// Why the command line was rejected; `help` is not an error but ends the run the same way.
    enum ParseError: Error, CustomStringConvertible {
        case help
        case missingValue(String)
        case badValue(String, String, String)
        case unknown(String)

        var description: String {
            switch self {
            case .help: return SimOptions.usage
            case .missingValue(let flag): return "a2al-sim: \(flag) needs a value\n\n\(SimOptions.usage)"
            case .badValue(let flag, let value, let why): return "a2al-sim: \(flag) \(value): \(why)"
            case .unknown(let flag): return "a2al-sim: unknown option \(flag)\n\n\(SimOptions.usage)"
            }
        }
    }

    /// Parses `arguments` (without the program name).
    static func parse(_ arguments: [String]) throws(ParseError) -> SimOptions {
        var o = SimOptions()
        var i = 0
        func value(_ flag: String) throws(ParseError) -> String {
            guard i + 1 < arguments.count else { throw .missingValue(flag) }
            i += 1
            return arguments[i]
        }
        func int(_ flag: String, _ range: ClosedRange<Int>) throws(ParseError) -> Int {
            let v = try value(flag)
            guard let n = Int(v) else { throw .badValue(flag, v, "not an integer") }
            guard range.contains(n) else { throw .badValue(flag, v, "must be in \(range.lowerBound)...\(range.upperBound)") }
            return n
        }
        func double(_ flag: String, _ range: ClosedRange<Double>, below upper: Bool = false) throws(ParseError) -> Double {
            let v = try value(flag)
            guard let d = Double(v), d.isFinite else { throw .badValue(flag, v, "not a number") }
            guard range.contains(d), !(upper && d == range.upperBound) else {
                throw .badValue(flag, v, "must be in \(range.lowerBound)...\(range.upperBound)\(upper ? " (exclusive)" : "")")
            }
            return d
        }
        while i < arguments.count {
            let flag = arguments[i]
            switch flag {
            case "--help", "-h": throw .help
            case "--nodes": o.nodes = try int(flag, 2...10_000)
            case "--latency-ms": o.latencyMs = try double(flag, 0...10_000)
            case "--jitter-ms": o.jitterMs = try double(flag, 0...10_000)
            case "--loss": o.loss = try double(flag, 0...1)
            case "--churn": o.churn = try double(flag, 0...1, below: true)
            case "--lookups": o.lookups = try int(flag, 0...1_000_000)
            case "--bootstrap-concurrency": o.bootstrapConcurrency = try int(flag, 1...10_000)
            case "--stagger-start-s": o.staggerSeconds = try double(flag, 0...3600)
            case "--settle-seconds": o.settleSeconds = try double(flag, 0...3600)
            case "--legacy-fraction": o.legacyFraction = try double(flag, 0...1)
            case "--go029-fraction": o.go029Fraction = try double(flag, 0...1)
            case "--version-trials": o.versionTrials = try int(flag, 0...10_000)
            case "--find-node-lookups": o.findNodeLookups = try int(flag, 0...1_000_000)
            case "--find-node-concurrency": o.findNodeConcurrency = try int(flag, 1...1_000)
            case "--join-attempts": o.joinAttempts = try int(flag, 1...100)
            case "--clock":
                let v = try value(flag)
                guard let kind = SimClock.Kind(rawValue: v) else { throw .badValue(flag, v, "must be virtual or real") }
                o.clock = kind
            case "--adversaries": o.adversaryFraction = try double(flag, 0...0.5)
            case "--disjoint-paths": o.disjointPaths = try int(flag, 2...LookupConstants.maxDisjointPaths)
            case "--single-again": o.singleAgain = true
            case "--no-ring-search": o.searchPastRings = false
            case "--behaviour":
                let v = try value(flag)
                guard let b = AdversaryBehaviour(rawValue: v) else {
                    throw .badValue(flag, v, "must be one of \(AdversaryBehaviour.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                o.adversaryBehaviour = b
            case "--seed":
                let v = try value(flag)
                guard let s = UInt64(v) else { throw .badValue(flag, v, "not an unsigned 64-bit integer") }
                o.seed = s
            default: throw .unknown(flag)
            }
            i += 1
        }
        guard o.legacyFraction + o.go029Fraction <= 1 + 1e-9 else {
            throw .badValue("--legacy-fraction + --go029-fraction", String(o.legacyFraction + o.go029Fraction), "must be at most 1")
        }
        return o
    }
}
