import A2ALDHT

/// Everything `GET /metrics` shows for one daemon (docs/metrics.md): values read at scrape
/// time from the node and the daemon, process figures from /proc, then the recorded
/// histograms and JSON-RPC call counters of `recorder`.
struct DaemonMetrics: Sendable {
    /// The exposition format version the body follows.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    let node: DHTNode
    let status: DaemonStatus
    let recorder: MetricsRecorder

    func render() -> [UInt8] {
        var text = PrometheusText()
        ScrapeWriter.write(node: node, status: status, into: &text)
        text.family("a2al_build_info", .gauge, help: "Always 1; the label names the daemon's version.", label: "version",
                    [(status.version, 1)])
        ProcessMetrics.write(into: &text)
        var body = text.bytes
        recorder.registry.emit(into: &body)
        return body
    }
}
