import A2ALCore
import A2ALDHT
import A2ALProtocol
import A2ALRPC

/// Turns node, lookup and store failures into the application errors of docs/jsonrpc.md.
/// `what` names the operation for the message ("node.ping to 10.0.0.2:4000"); `data.reason`
/// carries the node's own wording so nothing is lost in translation.
package enum DHTErrorMapping {
    package static func rpcError(_ e: DHTError, _ what: String, timeout: Duration? = nil) -> RPCError {
        let reason: JSONObject = ["reason": .string(e.description)]
        switch e {
        case .timeout:
            return timeoutError(what, timeout)
        case .cancelled:
            return .app(.unavailable, "\(what) was cancelled (the node or the connection is closing)", reason)
        case .closed:
            return .app(.unavailable, "\(what) failed: the node is shutting down", reason)
        case .transport(let t):
            // A local send failure: the peer is not at fault, the address is unusable from here.
            return .app(.badAddress, "\(what) failed: cannot send: \(t)", reason)
        case .unexpectedReply(let why):
            return .app(.peerError, "\(what) failed: the peer answered wrongly: \(why)", reason)
        case .noAddress(let id):
            return .app(.notFound, "\(what) failed: no dial address is known for node \(id)",
                        ["reason": .string(e.description), "node_id": .string(id.description)])
        case .encoding(let p):
            return .app(.invalidRecord, "\(what) failed: the request cannot be sent: \(p)", reason)
        case .allSeedsUnreachable:
            return .app(.timeout, "\(what) failed: no bootstrap peer answered", reason)
        case .resolution(let why):
            return .app(.badAddress, "\(what) failed: cannot resolve \(why)", reason)
        case .resolutionTimedOut(let host, let after):
            return .app(.timeout, "\(what) failed: no answer resolving \(host) within \(milliseconds(after)) ms",
                        ["reason": .string(e.description), "timeout_ms": .int(milliseconds(after))])
        case .identity(let why), .local(let why):
            return .internalError("\(what) failed: \(why)")
        case .store(let s):
            return rpcError(s, what)
        case .noMatchingRecords:
            return .app(.notFound, "\(what): no matching records found", reason)
        case .noEndpoint:
            return .app(.notFound, "\(what): no valid endpoint record found", reason)
        }
    }

    package static func rpcError(_ e: StoreError, _ what: String) -> RPCError {
        let reason: JSONObject = ["reason": .string(e.description)]
        switch e {
        case .stale:
            return .app(.staleRecord, "\(what): an equal or newer record already holds this slot", reason)
        case .invalid(let r):
            return .app(.invalidRecord, "\(what): \(r)", reason)
        case .keyMismatch(let expected, let got):
            return .app(.invalidRecord, "\(what): this record belongs at key \(expected), not \(got)",
                        ["reason": .string(e.description), "expected_key": .string(expected.description)])
        case .unauthorized(let why):
            return .app(.invalidRecord, "\(what): record not authorised: \(why)", reason)
        case .overQuota:
            // Only inbound STOREs carry a source; a local put never meets a quota.
            return .app(.overloaded, "\(what): \(e)", reason)
        }
    }

    /// Any error a handler body can throw: RPC errors pass through, node and store errors are
    /// mapped, cancellation means the call is being torn down, anything else is internal.
    package static func rpcError(_ e: any Error, _ what: String, timeout: Duration? = nil) -> RPCError {
        switch e {
        case let r as RPCError: return r
        case let d as DHTError: return rpcError(d, what, timeout: timeout)
        case let s as StoreError: return rpcError(s, what)
        case is CancellationError: return .app(.unavailable, "\(what) was cancelled (the node or the connection is closing)")
        default: return .internalError("\(what) failed: \(e)")
        }
    }

    package static func timeoutError(_ what: String, _ timeout: Duration?) -> RPCError {
        guard let timeout else { return .app(.timeout, "\(what) timed out") }
        let ms = milliseconds(timeout)
        return .app(.timeout, "\(what) timed out after \(ms) ms", ["timeout_ms": .int(ms)])
    }

    static func milliseconds(_ d: Duration) -> Int64 {
        let c = d.components
        return c.seconds &* 1000 &+ c.attoseconds / 1_000_000_000_000_000
    }
}

/// Runs `body` with the call's `timeout_ms`: when `timeout` elapses first the body is cancelled
/// and the call fails with `timeout`. Errors of the body are mapped by `DHTErrorMapping`.
///
/// The node's own RPC deadlines normally fire first (they are given the same budget); this is
/// the guarantee that a call never outlives its timeout by more than the body's reaction to
/// cancellation, which the node's waits honour at once.
package func withCallTimeout<T: Sendable>(_ timeout: Duration, _ what: String,
                                        _ body: @escaping @Sendable () async throws -> T) async throws(RPCError) -> T {
    do {
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw DHTErrorMapping.timeoutError(what, timeout)
            }
            return value
        }
    } catch {
        throw DHTErrorMapping.rpcError(error, what, timeout: timeout)
    }
}

/// The deadline handed to a lookup inside a call with `timeout`: a little shorter, so the lookup
/// ends at its own deadline with what it found instead of being cut off by the call's timeout.
func lookupDeadline(within timeout: Duration) -> Duration {
    let margin = min(timeout / 10, .milliseconds(250))
    return max(timeout - margin, .milliseconds(1))
}
