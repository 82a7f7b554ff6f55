import A2ALProtocol
import A2ALThreads

/// Resolves host names off Swift's cooperative pool and with a deadline of its own
/// (docs/architecture.md, "Name resolution"): the blocking lookup runs on `BlockingWorkers`,
/// and the caller is resumed by whichever comes first, the answer, the deadline or its own
/// cancellation. A lookup still hanging in the C library is left to finish on its thread.
public struct HostNameResolver: Sendable {
    /// A blocking lookup of one host name (getaddrinfo by default; tests inject their own).
    public typealias Lookup = @Sendable (_ host: String) -> Result<[IPAddress], DHTError>

    public var lookup: Lookup
    /// How long one name may take before the caller gets `.resolutionTimedOut`.
    public var timeout: Duration

    public static let defaultTimeout: Duration = .seconds(5)
    /// Lookups blocked at once at most; more wait for a thread (and may time out waiting).
    public static let maxThreads = 8

    /// getaddrinfo with the default deadline.
    public static let system = HostNameResolver(lookup: AddressResolver.systemLookup)

    /// The threads every resolver shares: the cap on hung lookups holds for the process.
    static let workers = BlockingWorkers(maxThreads: maxThreads)

    public init(lookup: @escaping Lookup, timeout: Duration = defaultTimeout) {
        self.lookup = lookup
        self.timeout = timeout
    }

    /// The addresses of `host`, or why not: `.resolutionTimedOut` after `timeout` (or the
    /// shorter `within`), `.cancelled` when the calling task is cancelled.
    public func resolve(_ host: String, within limit: Duration? = nil) async throws(DHTError) -> [IPAddress] {
        let deadline = limit.map { min($0, timeout) } ?? timeout
        let wait = ResolutionWait()
        let lookup = self.lookup
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Result<[IPAddress], DHTError>, Never>) in
                wait.install(c)
                Self.workers.submit {
                    // A caller that already gave up does not need the answer.
                    guard !wait.isSettled else { return }
                    wait.settle(lookup(host))
                }
                wait.setTimer(Task {
                    try? await Task.sleep(for: deadline)
                    wait.settle(.failure(.resolutionTimedOut(host: host, after: deadline)))
                })
            }
        } onCancel: {
            wait.settle(.failure(.cancelled))
        }
        return try result.get()
    }
}

/// One caller's wait for a lookup: the first outcome (answer, deadline, cancellation) resumes
/// it, later ones are ignored, and the deadline's timer is cancelled once it is moot.
private final class ResolutionWait: Sendable {
    typealias Outcome = Result<[IPAddress], DHTError>

    private struct State {
        var continuation: CheckedContinuation<Outcome, Never>?
        var outcome: Outcome?
        var timer: Task<Void, Never>?
    }

    private let state = SleepingLock(State())

    var isSettled: Bool { state.withLock { $0.outcome != nil } }

    /// Resumes at once if the outcome came before the continuation (a cancellation can).
    func install(_ c: CheckedContinuation<Outcome, Never>) {
        let early = state.withLock { s -> Outcome? in
            if let outcome = s.outcome { return outcome }
            s.continuation = c
            return nil
        }
        if let early { c.resume(returning: early) }
    }

    func setTimer(_ timer: Task<Void, Never>) {
        let moot = state.withLock { s -> Bool in
            if s.outcome != nil { return true }
            s.timer = timer
            return false
        }
        if moot { timer.cancel() }
    }

    func settle(_ outcome: Outcome) {
        let (c, timer) = state.withLock { s -> (CheckedContinuation<Outcome, Never>?, Task<Void, Never>?) in
            guard s.outcome == nil else { return (nil, nil) }
            s.outcome = outcome
            defer { s.continuation = nil; s.timer = nil }
            return (s.continuation, s.timer)
        }
        timer?.cancel()
        c?.resume(returning: outcome)
    }
}
