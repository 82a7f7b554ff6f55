import A2ALDHT
import A2ALSimulation

/// Prints network throughput, backlog and CPU use to stderr every `period` while a run lasts,
/// so a slow phase shows whether the single delivery scheduler is saturated (queue growing,
/// about one core busy) or the run is merely waiting on timeouts.
/// It sleeps on the real clock (progress is for the person waiting), which is outside the
/// virtual clock's account: it only reads counters, so it cannot hold simulated time back.
func startMonitor(_ network: MemoryNetwork, time: SimClock, period: Duration = .seconds(10)) -> Task<Void, Never> {
    Task.detached {
        var last = network.stats
        var lastCPU = processCPUSeconds()
        var lastTime = ContinuousClock.now
        let begin = lastTime
        while !Task.isCancelled {
            try? await Task.sleep(for: period)
            let s = network.stats
            let cpu = processCPUSeconds()
            let now = ContinuousClock.now
            let dt = (now - lastTime).seconds
            let sent = Double(s.sent - last.sent) / dt
            let delivered = Double(s.delivered - last.delivered) / dt
            progress("monitor t=\(Int((now - begin).seconds)) s, simulated \(Int(time.seconds)) s: sent \(Int(sent))/s, delivered \(Int(delivered))/s, "
                     + "in flight \(s.queued), cpu \(Int((cpu - lastCPU) / dt * 100))% of one core")
            last = s
            lastCPU = cpu
            lastTime = now
        }
    }
}
