import A2ALThreads

/// JSON-RPC 2.0 over one connection: takes whole lines from the server, answers through the
/// connection's `LineSink`. Each call runs on its own task and its reply is sent when it
/// completes, so a slow call does not hold up the ones behind it (clients match replies by
/// id). A batch is answered with one array line, in request order, once all its calls are
/// done; its calls count one in-flight place each, and it is admitted whole or refused whole.
/// Every reply still owed when the daemon stops is answered `unavailable` (`shutdown()`).
public final class RPCSession: LineReceiver {
    public let connection: RPCConnectionInfo
    private let service: RPCService
    private let sink: any LineSink
    private let state = SleepingLock(RPCSessionState())

    init(service: RPCService, connection: RPCConnectionInfo, sink: any LineSink) {
        self.service = service
        self.connection = connection
        self.sink = sink
    }

    public func receive(line: [UInt8]) {
        let value: JSONValue
        do throws(JSONParseError) {
            value = try JSONParser.parse(line)
        } catch {
            sink.send(RPCReply.line(id: .null, error: .parseError(error.description)))
            return
        }
        if case .array(let entries) = value {
            receiveBatch(entries)
        } else {
            receiveSingle(RPCRequest(value))
        }
    }

    public func lineTooLong(limit: Int) {
        sink.send(RPCReply.line(id: .null, error: .invalidRequest("line longer than \(limit) bytes")))
        sink.close()
    }

    public func connectionClosed() {
        let running = state.withLock { s in
            s.closed = true
            defer { s.tasks = [:] }
            return Array(s.tasks.values)
        }
        for task in running { task.cancel() }
        service.hub.closeConnection(connection.id)
    }

    /// The daemon is stopping: every call still running is answered `unavailable` (-32010)
    /// at once, in its batch where it belongs to one, then the sink closes once those lines
    /// are written (docs/jsonrpc.md, "Errors"). The calls are cancelled; whatever they still
    /// produce is dropped, so each call is answered exactly once. Lines that arrive later
    /// are not run.
    public func shutdown() {
        let outcome = state.withLock { s -> (lines: [[UInt8]], tasks: [Task<Void, Never>])? in
            guard !s.closed, !s.shuttingDown else { return nil }
            s.shuttingDown = true
            return (s.answerAllOwed(with: Self.shuttingDownError), Array(s.tasks.values))
        }
        guard let outcome else {
            sink.close()
            return
        }
        for line in outcome.lines { sink.send(line) }
        sink.close()
        for task in outcome.tasks { task.cancel() }
    }

    static let shuttingDownError = RPCError.app(.unavailable, "the daemon is shutting down")

    /// The client shut its sending side: close once every reply it is owed has been sent —
    /// unless it holds subscriptions, whose events keep flowing until it closes.
    public func inputEnded() {
        let idle = state.withLock { s -> Bool in
            s.inputEnded = true
            return s.activeTasks == 0
        }
        if idle { closeIfDone() }
    }

    private func closeIfDone() {
        guard service.hub.subscriptionCount(of: connection.id) == 0 else { return }
        sink.close()
    }

    /// Calls of this connection running now.
    public var callsInFlight: Int { state.withLock { $0.inFlight } }

    /// No task of this session is running: every admitted call has finished and sent its
    /// reply (tests use it to check that nothing was answered).
    var isIdle: Bool { state.withLock { $0.activeTasks == 0 } }

    // MARK: Dispatch

    private enum Prepared {
        case run(RPCMethod, JSONObject, id: JSONValue?)
        /// Answered without running anything; nil for a notification (no reply).
        case answer([UInt8]?)
    }

    private func prepare(_ request: RPCRequest) -> Prepared {
        switch request {
        case .invalid(let error, let id):
            service.observeRefusal(method: nil, error)
            return .answer(RPCReply.line(id: id, error: error))
        case .call(let name, let params, let id):
            guard let method = service.router.methods[name] else {
                let error = RPCError.methodNotFound(name, suggestions: service.router.suggestions(for: name))
                service.observeRefusal(method: nil, error)
                return .answer(id.map { RPCReply.line(id: $0, error: error) })
            }
            switch service.router.namedParams(params, for: name) {
            case .success(let named): return .run(method, named, id: id)
            case .failure(let error):
                service.observeRefusal(method: name, error)
                return .answer(id.map { RPCReply.line(id: $0, error: error) })
            }
        }
    }

    private var overloaded: RPCError {
        .app(.overloaded, "too many calls in flight on this connection (limit \(service.limits.maxInFlightPerConnection))")
    }

    private func receiveSingle(_ request: RPCRequest) {
        switch prepare(request) {
        case .answer(let line):
            if let line { sink.send(line) }
        case .run(let method, let params, let id):
            if let immediate = method.immediate {
                // Answered before the next line is read: nothing to count in flight, cancel or
                // answer at shutdown.
                guard state.withLock({ $0.runsCalls }) else { return }
                let outcome = service.observedInvokeImmediate(method, immediate, params: params, connection: connection)
                if let id { sink.send(RPCReply.line(id: id, outcome)) }
                return
            }
            let limit = service.limits.maxInFlightPerConnection
            let admission = state.withLock { s -> RPCSessionState.Admission in
                let admission = s.admit(1, limit: limit)
                if case .admitted(let key) = admission, let id { s.owedSingles[key] = id }
                return admission
            }
            switch admission {
            case .refused: return
            case .overloaded:
                service.observeRefusal(method: method.name, overloaded)
                if let id { sink.send(RPCReply.line(id: id, error: overloaded)) }
            case .admitted(let key):
                let connection = connection
                spawn(key: key, slots: 1, onIOThread: !method.blocks) { [self] in
                    let outcome = await service.observedInvoke(method, params: params, connection: connection)
                    if let id { deliver(key, RPCReply.line(id: id, outcome)) }
                }
            }
        }
    }

    /// Sends a single call's reply unless shutdown already answered it. Sent under the lock,
    /// so shutdown can not close the sink between the claim and the send.
    private func deliver(_ key: UInt64, _ line: [UInt8]) {
        state.withLock { s in
            guard s.owedSingles.removeValue(forKey: key) != nil else { return }
            sink.send(line)
        }
    }

    private func receiveBatch(_ entries: [JSONValue]) {
        // Never more than the in-flight cap, so a batch that is accepted can run entirely.
        let maxBatch = service.limits.effectiveMaxBatch
        guard !entries.isEmpty else {
            sink.send(RPCReply.line(id: .null, error: .invalidRequest("empty batch")))
            return
        }
        guard entries.count <= maxBatch else {
            sink.send(RPCReply.line(id: .null, error: .invalidRequest("batch of \(entries.count) requests; at most \(maxBatch)")))
            return
        }
        var replies = [[UInt8]?](repeating: nil, count: entries.count)
        var jobs: [BatchJob] = []
        for (index, entry) in entries.enumerated() {
            switch prepare(RPCRequest(entry)) {
            case .answer(let line): replies[index] = line
            case .run(let method, let params, let id): jobs.append(BatchJob(index: index, method: method, params: params, id: id))
            }
        }
        guard !jobs.isEmpty else {
            sendBatch(replies)
            return
        }
        let limit = service.limits.maxInFlightPerConnection
        let owed = BatchReplies(lines: replies, running: Dictionary(uniqueKeysWithValues: jobs.map { ($0.index, $0.id) }))
        let admission = state.withLock { s -> RPCSessionState.Admission in
            let admission = s.admit(jobs.count, limit: limit)
            if case .admitted(let key) = admission { s.owedBatches[key] = owed }
            return admission
        }
        switch admission {
        case .refused: return
        case .overloaded:
            // The whole batch is refused: each call in it is answered `overloaded` in its slot.
            for job in jobs {
                service.observeRefusal(method: job.method.name, overloaded)
                if let id = job.id { replies[job.index] = RPCReply.line(id: id, error: overloaded) }
            }
            sendBatch(replies)
        case .admitted(let key):
            runBatch(key: key, jobs: jobs)
        }
    }

    private func runBatch(key: UInt64, jobs: [BatchJob]) {
        let connection = connection
        spawn(key: key, slots: 0, onIOThread: !jobs.contains { $0.method.blocks }) { [self] in
            await withTaskGroup(of: Void.self) { group in
                for job in jobs {
                    group.addTask {
                        let outcome = await self.service.observedInvoke(job.method, params: job.params, connection: connection)
                        let line = job.id.map { RPCReply.line(id: $0, outcome) }
                        // Each entry frees its slot as it completes, not when the whole batch does.
                        self.state.withLock { s in
                            s.inFlight -= 1
                            s.owedBatches[key]?.complete(job.index, line: line)
                        }
                    }
                }
            }
            state.withLock { s in
                // Nothing owed: shutdown already answered the batch. Only notifications: no reply.
                guard let done = s.owedBatches.removeValue(forKey: key),
                      let line = done.finished(answeringRunningWith: nil) else { return }
                sink.send(line)
            }
        }
    }

    private func sendBatch(_ replies: [[UInt8]?]) {
        let lines = replies.compactMap { $0 }
        guard !lines.isEmpty else { return }  // only notifications: no reply at all
        sink.send(RPCReply.batch(lines))
    }

    /// Runs `work` on its own task, registered so `connectionClosed` can cancel it; the task
    /// frees `slots` in-flight places and unregisters itself when done.
    ///
    /// The task starts immediately on the calling thread (the server's I/O thread) and runs
    /// until the handler first suspends. A handler that does not suspend (`node.info` and
    /// most local reads) thus answers without any thread hop, which is most of the cost of a
    /// small call; one that awaits continues on the global executor. Handlers that block
    /// (`RPCMethod.blocks`) start on the global executor instead.
    private func spawn(key: UInt64, slots: Int, onIOThread: Bool, _ work: @escaping @Sendable () async -> Void) {
        let body: @Sendable () async -> Void = { [self] in
            await work()
            let drained = state.withLock { s -> Bool in
                s.finish(key, slots: slots)
                return s.inputEnded && s.activeTasks == 0
            }
            if drained { closeIfDone() }
        }
        let task: Task<Void, Never>
        if #available(macOS 26.0, *), onIOThread {
            task = Task.immediate(operation: body)
        } else {
            task = Task(operation: body)
        }
        state.withLock { s in
            // The task may already be done, or the connection closed meanwhile.
            if s.finishedBeforeRegistered.remove(key) != nil { return }
            if s.closed || s.shuttingDown {
                task.cancel()
                return
            }
            s.tasks[key] = task
        }
    }
}

private struct BatchJob: Sendable {
    let index: Int
    let method: RPCMethod
    let params: JSONObject
    let id: JSONValue?
}
