// a2al-sim: N DHT nodes in one process on the in-memory transport with simulated latency, loss
// and churn, on a discrete-event virtual clock (or, with --clock real, real time). Creates and
// starts the nodes, bootstraps them, publishes every node's endpoint record, closes a fraction
// of them, resolves random records, runs FIND_NODE lookups and prints one JSON report on stdout
// (progress on stderr). With reference wire profiles mixed in (--legacy-fraction,
// --go029-fraction) a version phase measures every pair of generations.
// Build with -c release; `--help` lists options.
#if canImport(Glibc)
import Glibc
#endif
import A2ALDHT
import Logging

let options: SimOptions
do {
    options = try SimOptions.parse(Array(CommandLine.arguments.dropFirst()))
} catch .help {
    print(SimOptions.usage)
    exit(0)
} catch {
    writeStderr("\(error)\n")
    exit(2)
}

// Installed before any task starts: every global-executor job must run on the executor that
// keeps the virtual clock.
guard let time = SimClock.make(options.clock) else {
    writeStderr("a2al-sim: the virtual clock needs the concurrency runtime's enqueue hook, which this build does not export; use --clock real\n")
    exit(1)
}

do {
    // Detached, not on the main actor: main-actor jobs bypass the virtual clock's executor, so
    // it could not tell when the run is idle.
    let report = try await Task.detached { try await simulate(options, time: time, logger: Logger(label: "a2al.sim")) }.value
    print(report.text)
} catch {
    writeStderr("a2al-sim: \(error)\n")
    exit(1)
}
// Nodes are not closed one by one: the process ends here and the OS reclaims everything, which
// for 10,000 nodes is far faster than 10,000 orderly shutdowns.
exit(0)
