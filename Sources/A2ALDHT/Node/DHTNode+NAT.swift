import A2ALCore
import A2ALProtocol

extension DHTNode {
    /// Answers a NAT probe request (docs/node-behaviour.md §4.5.5): echo the token to the claimed
    /// address if it is public, is the request's own source IP, and the source is within its echo
    /// budget. Nothing goes back to the requester's source.
    func echoNATProbe(_ req: NATProbeRequest, from: PeerAddress, now: Tick) {
        guard let claimed = req.claimed, claimed.ip.isPublic,
              let source = from.udp, source.ip.normalized == claimed.ip.normalized else { return }
        let allowed = state.withLock { $0.natEchoLimiter.allow(source.ip.normalized, now: now) }
        guard allowed else { return }
        do {
            let datagram = try Packet.encode(body: .natProbeEcho(NATProbeEcho(token: req.token)),
                                             txID: Header.randomTxID(), signer: signer)
            try transport.send(datagram, to: .udp(claimed))
        } catch {
            logger.debug("nat echo not sent", metadata: ["to": "\(claimed)", "err": "\(error)"])
        }
        counters.sent(.natProbeEcho)
    }

    /// Our public IP as learned by the host (nil clears it); used for hairpin detection. The
    /// public port is taken to be our socket's (`setSelfExternalEndpoint` gives it).
    public func setSelfExternalIP(_ ip: IPAddress?) {
        state.withLock {
            $0.selfExternalIP = ip?.normalized
            $0.selfExternalPort = nil
        }
    }
    public var selfExternalIP: IPAddress? { state.withLock { $0.selfExternalIP } }

    /// Our public endpoint as peers agree on it (nil clears it): the IP for hairpin detection,
    /// the port to tell ourselves apart from another node behind the same NAT.
    public func setSelfExternalEndpoint(_ endpoint: WireEndpoint?) {
        state.withLock {
            $0.selfExternalIP = endpoint?.ip.normalized
            $0.selfExternalPort = endpoint?.port
        }
    }

    /// True when `address` is our own public IP seen from outside but not our own public
    /// endpoint — a peer behind the same NAT (docs/node-behaviour.md §10.2). Such addresses are not
    /// dialled by lookups/replication.
    public func isHairpin(_ address: PeerAddress) -> Bool { state.withLock { isHairpin(address, $0) } }

    func isHairpin(_ address: PeerAddress, _ s: NodeState) -> Bool {
        guard let e = address.udp, let mine = s.selfExternalIP, e.ip.normalized == mine else { return false }
        return e.port != (s.selfExternalPort ?? localAddress.udp?.port)
    }

    /// Remembers a peer met at a hairpin address (most recent 64 kept).
    func noteSameNATPeer(_ id: NodeID, now: Tick, _ s: inout NodeState) {
        s.sameNATPeers[id] = now
        if s.sameNATPeers.count > NodeConstants.sameNATPeersKept,
           let oldest = s.sameNATPeers.min(by: { $0.value < $1.value })?.key {
            s.sameNATPeers[oldest] = nil
        }
    }

    /// Peers seen behind our own NAT (at our public IP on another port), newest first.
    public func sameNATPeers() -> [NodeID] {
        state.withLock { $0.sameNATPeersByRecency() }
    }

    /// Waits for a NAT probe echo carrying `token` at our socket (docs/node-behaviour.md §5.2.6).
    /// `send` sends the request by whatever path the caller chooses (another socket, for a
    /// cold-inbound test); it runs once the waiter is registered, so an early echo is not missed.
    /// False on timeout, when `send` throws, or when the node closes.
    public func awaitNATEcho(token: [UInt8], timeout: Duration, send: @Sendable () throws -> Void) async -> Bool {
        (try? await waitForNATEcho(token: token, timeout: timeout, send: send)) ?? false
    }

    /// The one waiter behind `awaitNATEcho` and `natProbe`: registers for `token` (an earlier
    /// waiter for it gets false), then sends, then waits until the echo, the timeout or the
    /// node's close. A throwing `send` unregisters and rethrows.
    func waitForNATEcho<E: Error>(token: [UInt8], timeout: Duration, send: () throws(E) -> Void) async throws(E) -> Bool {
        if isClosed { return false }
        let deadline = clock.now() + timeout
        let timer = Task { [weak self] in
            guard let self else { return }
            do { try await self.clock.sleep(until: deadline) } catch { return }
            self.state.withLock { $0.natWaiters.removeValue(forKey: token) }?.resume(returning: false)
        }
        defer { timer.cancel() }
        var failure: E?
        let echoed = await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
            let previous = state.withLock { s in
                defer { s.natWaiters[token] = c }
                return s.natWaiters[token]
            }
            previous?.resume(returning: false)
            do throws(E) {
                try send()
            } catch {
                failure = error
                state.withLock { $0.natWaiters.removeValue(forKey: token) }?.resume(returning: false)
            }
        }
        if let failure { throw failure }
        return echoed
    }
}
