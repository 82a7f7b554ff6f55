import A2ALCore
import A2ALProtocol

extension DHTNode {
    /// Sends `body` and waits for the matching reply (docs/node-behaviour.md §5.1) — up to
    /// `attempts` attempts, `attemptTimeout` apart, each with a fresh tx_id, all open until
    /// `timeout` (a single attempt until the sooner of `timeout` and `attemptTimeout`).
    /// An attempt that is late is hedged, not abandoned (docs/routing.md §3.6): the earlier
    /// requests stay open, so a slow reply still counts, and the RTT credited is the answered
    /// attempt's own. Replies must come from `expectedID` when given, else from `address`.
    /// Health bookkeeping: success is credited to the responder; only network outcomes
    /// (timeout, unexpected reply) count as a failure of the peer (docs/deviations.md §3).
    func request(_ body: MessageBody, to address: PeerAddress, expectedID: NodeID?, timeout: Duration,
                 attempts: Int = NodeConstants.rpcMaxAttempts,
                 attemptTimeout: Duration = NodeConstants.rpcAttemptTimeout,
                 chargeFailures: Bool = true) async throws(DHTError) -> Reply {
        guard let expectedType = body.type.expectedResponse else {
            throw .local("\(body.type) is not a request")
        }
        let start = clock.now()
        let attempts = max(1, attempts)
        // One attempt ends at its own deadline; hedged attempts all stay open until `timeout`.
        let deadline = attempts == 1 ? min(start + timeout, start + attemptTimeout) : start + timeout
        let outcome = await withTaskGroup(of: AttemptOutcome.self) { group -> AttemptOutcome in
            for attempt in 0..<attempts {
                let sendAt = start + attemptTimeout * attempt
                guard attempt == 0 || sendAt < deadline else { break }
                group.addTask {
                    do throws(DHTError) {
                        if attempt > 0 {
                            do { try await self.clock.sleep(until: sendAt) } catch { return .failed(.cancelled) }
                        }
                        let sent = self.clock.now()
                        let reply = try await self.exchange(body, expecting: expectedType, to: address,
                                                            expectedID: expectedID, deadline: deadline)
                        return .answered(reply, rtt: self.clock.now() - sent)
                    } catch {
                        return .failed(error)
                    }
                }
            }
            // The first answer wins; a timeout waits for the other attempts; any other failure
            // (closed, transport) ends the request at once, as the sequential retries did.
            var last = AttemptOutcome.failed(.timeout)
            while let next = await group.next() {
                switch next {
                case .answered:
                    group.cancelAll()
                    return next
                case .failed(.timeout):
                    continue
                case .failed(.cancelled):
                    // Only our caller's cancellation cancels an attempt before we return.
                    last = next
                case .failed:
                    group.cancelAll()
                    return next
                }
            }
            return last
        }
        switch outcome {
        case .answered(let reply, let rtt):
            counters.bump(counters.rpcCompleted)
            credit(reply.senderID, rtt: rtt)
            latencyObserver?.requestAnswered(body.type, after: clock.now() - start)
            return reply
        case .failed(let error):
            if error.isNetworkOutcome && chargeFailures {
                let id = expectedID ?? state.withLock { $0.dial.node(at: address) }
                if let id { debit(id) }
            }
            throw error
        }
    }

    /// How one attempt of `request` ended.
    private enum AttemptOutcome: Sendable {
        case answered(Reply, rtt: Duration)
        case failed(DHTError)
    }

    /// One attempt: register a waiter, send, and race the reply against the deadline.
    private func exchange(_ body: MessageBody, expecting expectedType: MessageType, to address: PeerAddress,
                          expectedID: NodeID?, deadline: Tick) async throws(DHTError) -> Reply {
        if isClosed { throw .closed }
        let tx = Header.randomTxID()
        let key = TxKey(tx)
        let datagram: [UInt8]
        do {
            datagram = try Packet.encode(body: body, txID: tx, signer: signer)
        } catch {
            throw .outbound(error)
        }
        do {
            return try await withThrowingTaskGroup(of: Reply.self) { group in
                group.addTask {
                    try await withTaskCancellationHandler {
                        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Reply, any Error>) in
                            // Checked under the lock: a cancellation that came first is seen here;
                            // one that comes later finds the waiter in its handler. Otherwise a
                            // request cancelled before it started could wait forever.
                            let registered = self.pending.withLock { p -> Bool in
                                if Task.isCancelled { return false }
                                p.register(key, .init(expectedType: expectedType, expectedID: expectedID,
                                                      expectedAddress: address, continuation: c))
                                return true
                            }
                            guard registered else {
                                c.resume(throwing: CancellationError())
                                return
                            }
                            do throws(TransportError) {
                                try self.transport.send(datagram, to: address)
                                self.counters.sent(body.type)
                            } catch {
                                self.pending.withLock { $0.remove(key) }?.continuation.resume(throwing: DHTError.transport(error))
                            }
                        }
                    } onCancel: {
                        self.pending.withLock { $0.remove(key) }?.continuation.resume(throwing: CancellationError())
                    }
                }
                group.addTask {
                    try await self.clock.sleep(until: deadline)
                    throw DHTError.timeout
                }
                defer { group.cancelAll() }
                guard let reply = try await group.next() else { throw DHTError.timeout }
                return reply
            }
        } catch let e as DHTError {
            throw e
        } catch {
            throw isClosed ? .closed : .cancelled
        }
    }

    /// Records a successful exchange with `id` (health, RTT, routing freshness).
    func credit(_ id: NodeID, rtt: Duration) {
        let now = clock.now()
        let transition = state.withLock { s -> HealthTransition? in
            s.routing.updateVerifiedAt(id, now)
            s.roundTrips.add(rtt)
            return s.health.recordSuccess(id, rtt: rtt, now: now)
        }
        if let transition { events.peerHealthChanged?(transition) }
    }

    /// Records a failed exchange with `id`.
    func debit(_ id: NodeID) {
        let now = clock.now()
        if let t = state.withLock({ $0.health.recordFailure(id, now: now) }) { events.peerHealthChanged?(t) }
    }

    /// Runs `body` as a background task that `close` cancels and awaits. The task forgets itself
    /// when it ends, so the registry only ever holds running work.
    func spawnTracked(_ body: @escaping @Sendable () async -> Void) {
        workers.withLock { w in
            guard !w.closed else { return }
            w.nextID += 1
            let id = w.nextID
            // Registered under the lock before the task can finish and deregister itself.
            w.running[id] = Task { [weak self] in
                await body()
                _ = self?.workers.withLock { $0.running.removeValue(forKey: id) }
            }
        }
    }
}

/// Background tasks of a node, by id.
struct WorkerRegistry {
    var running: [UInt64: Task<Void, Never>] = [:]
    var nextID: UInt64 = 0
    var closed = false
}
