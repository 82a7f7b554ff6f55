import A2ALSimulation

/// The report's `find_node` object. `summary` is the run's percentile formatter.
func findNodeReport(_ r: FindNodeResult, summary: ([Double], Int) -> JSON) -> JSON {
    let exact = r.recalls.filter { $0 >= 1 }.count
    return .object([
        ("attempted", .int(r.attempted)), ("empty", .int(r.empty)),
        ("packets", summary(r.packets, 2)),
        ("latency_ms", summary(r.latenciesMs, 3)),
        ("recall", summary(r.recalls, 4)),
        ("recall_exact_fraction", r.attempted > 0 ? .double(Double(exact) / Double(r.attempted), places: 4) : .null),
        ("note", .string("DHTNode.lookup of random targets from random live queriers, up to find_node_concurrency at once from distinct queriers; packets = datagrams the querier sent; recall = |found ∩ the 16 live nodes truly closest to the target (querier excluded)| / 16")),
    ])
}

/// The report's `clock` object: how time was kept and what keeping it cost.
func clockReport(_ time: SimClock) -> JSON {
    var fields: [(String, JSON)] = [("kind", .string(time.kind.rawValue)), ("simulated_s", .double(time.seconds))]
    if let virtual = time.virtualClock { fields.append(("advances", .int(Int(virtual.advanceCount)))) }
    if let executor = time.executor { fields.append(("jobs_run", .int(Int(executor.jobCount)))) }
    return .object(fields)
}
