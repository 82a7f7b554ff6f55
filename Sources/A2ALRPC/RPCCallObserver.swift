/// Told about every JSON-RPC call a session answers, for the daemon's metrics
/// (docs/metrics.md: `a2al_jsonrpc_calls_total`, `a2al_jsonrpc_call_duration_seconds`).
/// Sessions call it from many threads at once: implementations must be thread-safe and cheap.
public protocol RPCCallObserver: Sendable {
    /// - Parameters:
    ///   - method: the registered method called; nil when the request named no method this
    ///     service has, or was not a valid request at all. Never the client's raw text, so the
    ///     set of values stays bounded.
    ///   - errorCode: the JSON-RPC error code of the answer; nil for a result.
    ///   - duration: how long the handler ran; nil when the call was answered without running
    ///     (unknown method, invalid request or params, over the in-flight limit).
    func callFinished(method: String?, errorCode: Int?, duration: Duration?)
}

extension RPCService {
    /// Runs `method` as `invoke` does, telling the observer (if any) how it ended.
    func observedInvoke(_ method: RPCMethod, params: JSONObject, connection: RPCConnectionInfo) async -> Result<JSONObject, RPCError> {
        guard let observer else { return await Self.invoke(method, params: params, connection: connection) }
        let start = ContinuousClock.now
        let outcome = await Self.invoke(method, params: params, connection: connection)
        observer.callFinished(method.name, outcome, since: start)
        return outcome
    }

    /// Runs an immediate handler in place, telling the observer (if any) how it ended.
    func observedInvokeImmediate(_ method: RPCMethod, _ handler: RPCMethod.ImmediateHandler, params: JSONObject,
                                 connection: RPCConnectionInfo) -> Result<JSONObject, RPCError> {
        guard let observer else { return Self.invokeImmediate(method, handler, params: params, connection: connection) }
        let start = ContinuousClock.now
        let outcome = Self.invokeImmediate(method, handler, params: params, connection: connection)
        observer.callFinished(method.name, outcome, since: start)
        return outcome
    }

    /// A call answered without running its handler.
    func observeRefusal(method: String?, _ error: RPCError) {
        observer?.callFinished(method: method, errorCode: error.code, duration: nil)
    }
}

extension RPCCallObserver {
    /// Reports a call that ran its handler: its error code, if it failed, and how long it took.
    fileprivate func callFinished(_ method: String, _ outcome: Result<JSONObject, RPCError>, since start: ContinuousClock.Instant) {
        let code: Int?
        switch outcome {
        case .success: code = nil
        case .failure(let error): code = error.code
        }
        callFinished(method: method, errorCode: code, duration: ContinuousClock.now - start)
    }
}
