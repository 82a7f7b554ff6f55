import A2ALDHT
import A2ALProtocol
import NIOCore

/// The channel handler that turns inbound envelopes into `(bytes, .udp(source))` calls to the
/// inbound dispatch, which counts them as received when it hands them to the node.
///
/// It is created on, and only ever called from, its channel's event loop (NIO's threading rule
/// for handlers), so it is neither Sendable nor locked; what it shares with other threads is the
/// Sendable counters object and the Sendable delivery closure.
final class DatagramReceiver: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let counters: UDPCounters
    private let deliver: @Sendable ([UInt8], PeerAddress) -> Void

    init(counters: UDPCounters, deliver: @escaping @Sendable ([UInt8], PeerAddress) -> Void) {
        self.counters = counters
        self.deliver = deliver
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = Self.unwrapInboundIn(data)
        let size = envelope.data.readableBytes
        // The receive buffer holds one byte more than the limit, so a datagram that filled it was
        // too large; the kernel may have cut it, and a cut datagram must never look whole.
        guard size <= UDPTransport.maxDatagramSize else {
            counters.oversizeDropped.add(1, ordering: .relaxed)
            return
        }
        guard let source = WireEndpoint(socketAddress: envelope.remoteAddress),
              let bytes = envelope.data.getBytes(at: envelope.data.readerIndex, length: size) else {
            counters.unreadableDropped.add(1, ordering: .relaxed)
            return
        }
        deliver(bytes, .udp(source))
    }

    /// Read errors on a datagram socket (ICMP unreachable and the like) are per-packet; count them
    /// and keep the channel open instead of passing them on to the pipeline's tail.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        counters.receiveErrors.add(1, ordering: .relaxed)
        counters.lastReceiveError.withLock { $0 = "\(error)" }
    }
}
