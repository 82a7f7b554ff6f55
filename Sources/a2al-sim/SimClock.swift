#if canImport(Glibc)
import Glibc
#endif
import A2ALDHT
import A2ALSimulation

/// The time every node, the network and the phases of one run share (docs/benchmarks.md,
/// "Virtual clock"). `virtual`: a discrete-event clock, moved by `DiscreteEventExecutor` when
/// nothing can run, so CPU saturation delays nothing. `real`: `SystemClock`, as before.
struct SimClock: Sendable {
    enum Kind: String, Sendable { case virtual, real }

    let kind: Kind
    let node: any NodeClock
    let virtualClock: VirtualClock?
    let executor: DiscreteEventExecutor?

    /// The run's clock. Virtual installs the process-wide executor (once, before any task runs)
    /// with one worker per core; nil if the runtime hook is missing.
    static func make(_ kind: Kind) -> SimClock? {
        switch kind {
        case .real:
            return SimClock(kind: .real, node: SystemClock(), virtualClock: nil, executor: nil)
        case .virtual:
            let clock = VirtualClock()
            let cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
            guard let executor = DiscreteEventExecutor.install(clock: clock, workers: cores) else { return nil }
            return SimClock(kind: .virtual, node: clock, virtualClock: clock, executor: executor)
        }
    }

    /// What the report's `parameters.clock` says.
    var label: String {
        switch kind {
        case .virtual: return "virtual (discrete-event: time jumps to the next timer or datagram when nothing can run; latencies exclude CPU time)"
        case .real: return "SystemClock (real time; CPU saturation shows up as latency and timeouts)"
        }
    }

    /// Seconds on this run's clock since its start.
    var seconds: Double { node.now().seconds }
}

extension Tick {
    /// Seconds since the clock's epoch.
    var seconds: Double { Double(nanoseconds) / 1e9 }
}
