import A2ALDHT
import A2ALProtocol
import A2ALRPC
import A2ALThreads
import CoreMetrics
import Prometheus

/// The metrics that must be recorded when something happens (docs/metrics.md): latencies of
/// DHT requests, lookups and JSON-RPC calls (histograms), and JSON-RPC calls by method and
/// error code. Everything the node already counts is read at scrape time instead
/// (`ScrapeWriter`), so the UDP hot path pays nothing for it.
///
/// One registry per daemon, passed to swift-metrics explicitly (`factory:`) rather than
/// bootstrapping the process-wide `MetricsSystem`: tests run several daemons in one process,
/// and each must count only its own traffic.
final class MetricsRecorder: DHTLatencyObserver, RPCCallObserver, Sendable {
    static let dhtRequestSeconds = "a2al_dht_request_duration_seconds"
    static let lookupSeconds = "a2al_dht_lookup_duration_seconds"
    static let jsonrpcSeconds = "a2al_jsonrpc_call_duration_seconds"
    static let jsonrpcCalls = "a2al_jsonrpc_calls_total"
    static var callsDescriptor: MetricNameDescriptor {
        MetricNameDescriptor(metricName: jsonrpcCalls, unitName: "",
                             helpText: "JSON-RPC calls answered, by method and error code (ok for a result).")
    }
    /// The `method` label of requests that named no method the daemon has: one value, so a
    /// client sending random names cannot grow the series without bound.
    static let unknownMethod = "unknown"
    /// The `code` label of calls answered with a result.
    static let okCode = "ok"

    /// From a LAN round trip to the 5 s attempt timeout (a request retries within 15 s).
    static let dhtRequestBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .milliseconds(2500), .seconds(5), .seconds(10), .seconds(15),
    ]
    /// Iterative lookups take several rounds, up to their deadline (tens of seconds).
    static let lookupBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
        .seconds(20), .seconds(30), .seconds(60),
    ]
    /// Local reads answer in microseconds; network methods take up to their `timeout_ms`.
    static let jsonrpcBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2500),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
        .seconds(30),
    ]

    let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    /// Made once per label value up front, so the families show (at zero) before any traffic
    /// and recording is a plain histogram update.
    private let requestTimers: [MessageType: Timer]
    private let lookupTimers: [LookupKind: Timer]
    /// The call counter per method and error code (nil: a result) and the method's timer,
    /// made on first use: one short lock per call instead of a registry look-up by labels and
    /// a new `Timer`. Bounded: methods the daemon has (plus `unknown`) times the codes they return.
    private let callHandles = SleepingLock<[String: [Int?: (Prometheus.Counter, Timer)]]>([:])

    init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = [
            Self.dhtRequestSeconds: Self.dhtRequestBuckets,
            Self.lookupSeconds: Self.lookupBuckets,
            Self.jsonrpcSeconds: Self.jsonrpcBuckets,
        ]
        self.factory = factory
        var requests: [MessageType: Timer] = [:]
        for type in MessageType.allCases where type.expectedResponse != nil {
            requests[type] = Timer(label: Self.dhtRequestSeconds, dimensions: [("type", type.description)], factory: factory)
        }
        requestTimers = requests
        var lookups: [LookupKind: Timer] = [:]
        for kind in LookupKind.allCases {
            lookups[kind] = Timer(label: Self.lookupSeconds, dimensions: [("kind", kind.rawValue)], factory: factory)
        }
        lookupTimers = lookups
    }

    // MARK: DHTLatencyObserver

    func requestAnswered(_ type: MessageType, after duration: Duration) {
        requestTimers[type]?.recordNanoseconds(Self.nanoseconds(duration))
    }

    func lookupFinished(_ kind: LookupKind, after duration: Duration) {
        lookupTimers[kind]?.recordNanoseconds(Self.nanoseconds(duration))
    }

    // MARK: RPCCallObserver

    func callFinished(method: String?, errorCode: Int?, duration: Duration?) {
        let name = method ?? Self.unknownMethod
        let (counter, timer) = callHandles.withLock { handles -> (Prometheus.Counter, Timer) in
            if let known = handles[name]?[errorCode] { return known }
            let code = errorCode.map(String.init) ?? Self.okCode
            let counter = registry.makeCounter(descriptor: Self.callsDescriptor, labels: [("method", name), ("code", code)])
            let timer = handles[name]?.values.first?.1
                ?? Timer(label: Self.jsonrpcSeconds, dimensions: [("method", name)], factory: factory)
            handles[name, default: [:]][errorCode] = (counter, timer)
            return (counter, timer)
        }
        counter.increment()
        if let duration { timer.recordNanoseconds(Self.nanoseconds(duration)) }
    }

    static func nanoseconds(_ d: Duration) -> Int64 {
        let (seconds, attoseconds) = d.components
        let (ns, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : ns &+ attoseconds / 1_000_000_000
    }
}
