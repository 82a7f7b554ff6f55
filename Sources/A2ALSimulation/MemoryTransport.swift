import A2ALDHT
import A2ALProtocol
import Synchronization

/// One endpoint of a `MemoryNetwork`, addressed as `.memory(name)` — or, when its name is an
/// `ip:port` text, as that `.udp` endpoint (see `PeerAddress(memoryName:)`).
///
/// Sends are checked like UDP sends (size, address kind, closed) and then handed to the network,
/// which delivers them later on its scheduler task. The transport keeps its network alive.
public final class MemoryTransport: Transport {
    public let name: String
    public let localAddress: PeerAddress

    private let network: MemoryNetwork
    /// Distinguishes this transport from a later one that reuses its name after `close`.
    private let registration: UInt64
    private let isClosed = Atomic<Bool>(false)

    init(network: MemoryNetwork, name: String, registration: UInt64) {
        self.network = network
        self.name = name
        self.localAddress = PeerAddress(memoryName: name)
        self.registration = registration
    }

    /// Registers the handler. Datagrams that arrive before this are dropped (counted as
    /// unreachable), as a closed UDP port would drop them.
    public func start(_ handler: @escaping @Sendable (_ datagram: [UInt8], _ from: PeerAddress) -> Void) async throws {
        guard !isClosed.load(ordering: .acquiring) else { throw TransportError.closed }
        switch network.scheduler.installHandler(name: name, registration: registration, handler) {
        case .installed: return
        case .alreadyStarted: throw MemoryNetworkError.alreadyStarted(name)
        case .closed: throw TransportError.closed
        }
    }

    public func send(_ datagram: [UInt8], to destination: PeerAddress) throws(TransportError) {
        guard !isClosed.load(ordering: .acquiring) else { throw .closed }
        guard datagram.count <= MemoryNetwork.maxDatagramSize else { throw .packetTooLarge(datagram.count) }
        switch destination {
        case .memory(let destinationName):
            network.scheduler.enqueue(datagram, from: name, sender: localAddress, to: destinationName)
        case .udp:
            // Endpoint-named transports answer to their canonical ip:port text.
            network.scheduler.enqueue(datagram, from: name, sender: localAddress, to: destination.description)
        }
    }

    /// Unregisters the name (it may be reused) and returns once no delivery to this transport
    /// can still be running. Datagrams in flight to it are dropped. Idempotent.
    public func close() async {
        guard !isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        await network.scheduler.unregister(name: name, registration: registration)
    }
}
