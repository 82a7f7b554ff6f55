import A2ALCore
import A2ALDHT
import A2ALProtocol
import A2ALThreads

/// The node's transport with a memory of where it last sent to, per destination IP: a
/// cold-inbound probe is only evidence when our socket had not sent to the prober's IP
/// (a restricted NAT lets in anyone we sent to), so `NATProber` asks this before and after
/// (docs/protocol.md, "NAT classification").
package final class SendLogTransport: Transport {
    /// Destinations remembered; past it the oldest half is forgotten (those are the ones
    /// least likely to still hold a NAT filter open).
    package static let capacity = 8192

    let inner: any Transport
    let clock: any NodeClock
    private let lastSent = SleepingLock<[IPAddress: Tick]>([:])

    package init(_ inner: any Transport, clock: any NodeClock) {
        self.inner = inner
        self.clock = clock
    }

    package var localAddress: PeerAddress { inner.localAddress }
    package var statistics: TransportStatistics { inner.statistics }
    package var liveness: TransportLiveness { inner.liveness }

    package func start(_ handler: @escaping @Sendable ([UInt8], PeerAddress) -> Void) async throws {
        try await inner.start(handler)
    }

    package func send(_ datagram: [UInt8], to destination: PeerAddress) throws(TransportError) {
        if let ip = destination.udp?.ip.normalized {
            let now = clock.now()
            lastSent.withLock { m in
                m[ip] = now
                if m.count > Self.capacity {
                    let cut = m.values.sorted()[m.count / 2]
                    m = m.filter { $0.value > cut }
                }
            }
        }
        try inner.send(datagram, to: destination)
    }

    package func close() async { await inner.close() }

    /// When our socket last sent to `ip`, nil when never (or forgotten).
    package func lastSend(to ip: IPAddress) -> Tick? {
        lastSent.withLock { $0[ip.normalized] }
    }
}
