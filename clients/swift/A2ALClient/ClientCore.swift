import A2ALRPC
import NIOCore
import Synchronization

/// The bookkeeping of one connection: calls waiting for their reply (by id) and live
/// subscriptions (by subscription id). Lines from the daemon arrive here from the channel's
/// event loop; calls register from any task. The lock guards only the tables; continuations
/// are resumed after it is released.
final class ClientCore: Sendable {
    typealias EventContinuation = AsyncThrowingStream<A2ALEvent, any Error>.Continuation

    /// Where a subscription's events go.
    struct EventSink: Sendable {
        let event: String
        let continuation: EventContinuation
    }

    private struct Pending {
        let method: String
        let continuation: CheckedContinuation<JSONValue, any Error>
        /// Set for `subscribe`: the stream to attach once the reply names the subscription.
        let sink: EventSink?
        var timeout: Scheduled<Void>?
    }

    private struct State {
        var nextID: Int64 = 1
        var pending: [Int64: Pending] = [:]
        /// Ids whose task was cancelled before they were registered.
        var cancelledEarly: Set<Int64> = []
        var subscriptions: [String: EventSink] = [:]
        /// Events for a subscription id not (yet) known: the daemon may write an event before
        /// the `subscribe` reply reaches us. Bounded; late events of ended subscriptions age out.
        var unclaimed: [(id: String, line: JSONObject)] = []
        /// An error the daemon sent with `id: null` (e.g. `overloaded` before it closes the
        /// connection); pending calls fail with it when the connection ends.
        var unattributedError: RPCError?
        var closed: A2ALClientError?
    }

    static let maxUnclaimed = 64
    static let maxCancelledEarly = 256
    let eventBufferLimit: Int
    private let state = Mutex(State())

    init(eventBufferLimit: Int) {
        self.eventBufferLimit = eventBufferLimit
    }

    // MARK: Calls

    func allocateID() -> Int64 {
        state.withLock { s in
            defer { s.nextID += 1 }
            return s.nextID
        }
    }

    /// Records a call about to be written. Fails the continuation at once when the
    /// connection is already closed or the task was cancelled first; returns whether to send.
    func register(id: Int64, method: String, sink: EventSink?,
                  continuation: CheckedContinuation<JSONValue, any Error>) -> Bool {
        let refusal: (any Error)? = state.withLock { s in
            if let closed = s.closed { return closed }
            if s.cancelledEarly.remove(id) != nil { return CancellationError() }
            s.pending[id] = Pending(method: method, continuation: continuation, sink: sink)
            return nil
        }
        guard let refusal else { return true }
        continuation.resume(throwing: refusal)
        sink?.continuation.finish(throwing: refusal)
        return false
    }

    func attachTimeout(id: Int64, _ task: Scheduled<Void>) {
        let orphan = state.withLock { s -> Bool in
            guard s.pending[id] != nil else { return true }
            s.pending[id]?.timeout = task
            return false
        }
        if orphan { task.cancel() }
    }

    /// Ends a call locally (timeout, cancellation, write failure); a reply arriving later is
    /// ignored.
    func fail(id: Int64, with error: any Error) {
        let p = state.withLock { s -> Pending? in
            guard let p = s.pending.removeValue(forKey: id) else {
                // Either not registered yet (remember, so register() refuses it) or already
                // answered. The latter would pile up, so the set is capped: forgetting an
                // old entry only means that call waits for its reply or deadline.
                if error is CancellationError {
                    if s.cancelledEarly.count >= Self.maxCancelledEarly, let oldest = s.cancelledEarly.min() {
                        s.cancelledEarly.remove(oldest)
                    }
                    s.cancelledEarly.insert(id)
                }
                return nil
            }
            return p
        }
        guard let p else { return }
        p.timeout?.cancel()
        p.continuation.resume(throwing: error)
        p.sink?.continuation.finish(throwing: error)
    }

    // MARK: Subscriptions

    /// Forgets a subscription and ends its stream; false when it had already ended.
    @discardableResult
    func endSubscription(_ id: String, error: (any Error)? = nil) -> Bool {
        guard let sink = state.withLock({ $0.subscriptions.removeValue(forKey: id) }) else { return false }
        sink.continuation.finish(throwing: error)
        return true
    }

    // MARK: Lines from the daemon

    /// One line from the daemon. Returns a description of the fault when the line is not
    /// something a JSON-RPC 2.0 server may send; the caller then closes the connection.
    func receive(_ line: [UInt8]) -> String? {
        let value: JSONValue
        do {
            value = try JSONParser.parse(line)
        } catch {
            return "unparseable line from the daemon: \(error)"
        }
        guard let object = value.objectValue else {
            return "the daemon sent a JSON \(value.typeName), not an object (this client never sends batches)"
        }
        if object["method"]?.stringValue == "subscription" {
            return receiveNotification(object)
        }
        return receiveReply(object)
    }

    private func receiveReply(_ reply: JSONObject) -> String? {
        let error = reply["error"].map(Self.rpcError(from:))
        guard let idValue = reply["id"], idValue != .null else {
            guard let error else { return "a reply without an id or error" }
            state.withLock { $0.unattributedError = error }
            return nil
        }
        guard let id = idValue.intValue else { return "a reply with id \(idValue.compactText), which this client never sent" }
        guard let p = state.withLock({ $0.pending.removeValue(forKey: id) }) else {
            return nil // timed out or cancelled here already
        }
        p.timeout?.cancel()
        if let error {
            p.continuation.resume(throwing: A2ALClientError.rpc(error))
            p.sink?.continuation.finish(throwing: A2ALClientError.rpc(error))
            return nil
        }
        guard let result = reply["result"] else {
            let fault = A2ALClientError.protocolViolation("reply to \(p.method) has neither result nor error")
            p.continuation.resume(throwing: fault)
            p.sink?.continuation.finish(throwing: fault)
            return nil
        }
        if let sink = p.sink {
            guard let subID = result["subscription"]?.stringValue else {
                let fault = A2ALClientError.protocolViolation("subscribe reply without a subscription id")
                p.continuation.resume(throwing: fault)
                sink.continuation.finish(throwing: fault)
                return nil
            }
            attach(sink, as: subID)
        }
        p.continuation.resume(returning: result)
        return nil
    }

    /// Registers a new subscription's stream and hands it any events that raced ahead of
    /// the `subscribe` reply.
    private func attach(_ sink: EventSink, as id: String) {
        let early = state.withLock { s -> [JSONObject] in
            s.subscriptions[id] = sink
            let mine = s.unclaimed.filter { $0.id == id }.map(\.line)
            s.unclaimed.removeAll { $0.id == id }
            return mine
        }
        for line in early { _ = receiveNotification(line) }
    }

    private func receiveNotification(_ note: JSONObject) -> String? {
        guard let params = note["params"]?.objectValue, let id = params["subscription"]?.stringValue else {
            return "a subscription notification without params.subscription"
        }
        let sink = state.withLock { s -> EventSink? in
            if let sink = s.subscriptions[id] { return sink }
            s.unclaimed.append((id, note))
            if s.unclaimed.count > Self.maxUnclaimed { s.unclaimed.removeFirst() }
            return nil
        }
        guard let sink else { return nil }
        if let error = params["error"] {
            // The daemon's final notice (slow_subscriber): this subscription is over.
            endSubscription(id, error: A2ALClientError.rpc(Self.rpcError(from: error)))
            return nil
        }
        guard let result = params["result"] else { return "a notification for \(id) without result or error" }
        switch sink.continuation.yield(A2ALEvent(subscription: id, event: sink.event, result: result)) {
        case .enqueued, .terminated:
            break
        case .dropped:
            endSubscription(id, error: A2ALClientError.eventBufferOverflow(subscription: id, bufferedEvents: eventBufferLimit))
        @unknown default:
            break
        }
        return nil
    }

    // MARK: Closing

    /// The connection is gone: every waiting call and every subscription ends with `error`
    /// (or with the daemon's own last word, when it sent one).
    func closeAll(_ error: A2ALClientError) {
        let (pending, subs, final) = state.withLock { s -> ([Pending], [EventSink], A2ALClientError) in
            let final = s.closed ?? s.unattributedError.map(A2ALClientError.rpc) ?? error
            s.closed = final
            let p = Array(s.pending.values)
            let subs = Array(s.subscriptions.values)
            s.pending = [:]
            s.subscriptions = [:]
            s.unclaimed = []
            return (p, subs, final)
        }
        for p in pending {
            p.timeout?.cancel()
            p.continuation.resume(throwing: final)
            p.sink?.continuation.finish(throwing: final)
        }
        for sink in subs { sink.continuation.finish(throwing: final) }
    }

    var isClosed: Bool { state.withLock { $0.closed != nil } }

    static func rpcError(from value: JSONValue) -> RPCError {
        RPCError(code: value["code"]?.intValue.map { Int($0) } ?? RPCError.internalErrorCode,
                 message: value["message"]?.stringValue ?? value.compactText,
                 data: value["data"])
    }
}
