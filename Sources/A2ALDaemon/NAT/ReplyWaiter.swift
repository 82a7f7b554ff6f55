import A2ALDHT
import A2ALProtocol
import A2ALThreads

/// Waits for the first datagram from one endpoint on the prober's ephemeral socket: the answer
/// to a PING sent from that socket shows the stranger alive without our main socket sending to
/// it (which would open the NAT's filter, and on a port-restricted Linux NAT move our main
/// mapping to another port: the unanswered echo holds the 4-tuple); the answer to a FIND_NODE
/// sent from it names strangers without the node learning (and soon dialling) them.
final class ReplyWaiter: Sendable {
    private let waiters = SleepingLock<[WireEndpoint: CheckedContinuation<[UInt8]?, Never>]>([:])

    /// The socket's receive handler.
    func received(_ datagram: [UInt8], from source: PeerAddress) {
        guard let e = source.udp else { return }
        let key = e.normalized
        waiters.withLock { $0.removeValue(forKey: key) }?.resume(returning: datagram)
    }

    /// The first datagram from `endpoint` within `timeout` after `send` ran, or nil.
    func await(from endpoint: WireEndpoint, timeout: Duration, clock: any NodeClock,
               send: @Sendable () throws -> Void) async -> [UInt8]? {
        let key = endpoint.normalized
        let deadline = clock.now() + timeout
        let timer = Task { [weak self] in
            do { try await clock.sleep(until: deadline) } catch { return }
            self?.waiters.withLock { $0.removeValue(forKey: key) }?.resume(returning: nil)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { (c: CheckedContinuation<[UInt8]?, Never>) in
            let previous = waiters.withLock { w in
                defer { w[key] = c }
                return w[key]
            }
            previous?.resume(returning: nil)
            do { try send() } catch { waiters.withLock { $0.removeValue(forKey: key) }?.resume(returning: nil) }
        }
    }
}
