import A2ALCore
import A2ALProtocol

extension DHTNode {
    /// Sends `body` and waits for the matching reply (docs/node-behaviour.md §5.1) — up to
    /// `attempts` attempts of at most 5 s each, all within `timeout`, each with a fresh tx_id.
    /// Replies must come from `expectedID` when given, else from `address`. Health bookkeeping:
    /// success is credited to the responder; only network outcomes (timeout, unexpected reply)
    /// count as a failure of the peer (docs/deviations.md §3).
    func request(_ body: MessageBody, to address: PeerAddress, expectedID: NodeID?, timeout: Duration,
                 attempts: Int = NodeConstants.rpcMaxAttempts,
                 attemptTimeout: Duration = NodeConstants.rpcAttemptTimeout,
                 chargeFailures: Bool = true) async throws(DHTError) -> Reply {
        guard let expectedType = body.type.expectedResponse else {
            throw .local("\(body.type) is not a request")
        }
        let start = clock.now()
        let deadline = start + timeout
        var attempt = 0
        while true {
            attempt += 1
            let attemptDeadline = min(deadline, clock.now() + attemptTimeout)
            do {
                let reply = try await exchange(body, expecting: expectedType, to: address, expectedID: expectedID,
                                               deadline: attemptDeadline)
                counters.bump(counters.rpcCompleted)
                let rtt = clock.now() - start
                credit(reply.senderID, rtt: rtt)
                latencyObserver?.requestAnswered(body.type, after: rtt)
                return reply
            } catch .timeout where attempt < attempts && clock.now() < deadline {
                logger.debug("dht rpc timeout, retrying", metadata: ["to": "\(address)", "msg_type": "\(body.type)",
                                                                     "attempt": "\(attempt)"])
                continue
            } catch {
                if error.isNetworkOutcome && chargeFailures {
                    let id = expectedID ?? state.withLock { $0.dial.node(at: address) }
                    if let id { debit(id) }
                }
                throw error
            }
        }
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
