import A2ALCore
import A2ALProtocol
import Synchronization
import Testing
@testable import A2ALDHT
import A2ALSimulation

/// A failure on this node — its signer refusing — is reported as local, never as the peer's.
@Suite struct LocalFailureTests {
    /// A key store whose signing can be switched off.
    final class FlakySigner: KeyStore {
        let inner = MemoryKeyStore()
        let failing = Atomic(false)
        struct Refused: Error {}

        func generate() throws -> Address { try inner.generate() }
        func sign(address: Address, data: [UInt8]) throws -> [UInt8] {
            if failing.load(ordering: .relaxed) { throw Refused() }
            return try inner.sign(address: address, data: data)
        }
        func publicKey(address: Address) throws -> [UInt8] { try inner.publicKey(address: address) }
        func list() -> [Address] { inner.list() }
    }

    static func isLocal(_ e: DHTError) -> Bool {
        guard case .local = e else { return false }
        return !e.isNetworkOutcome
    }

    @Test func aSignerThatFailsIsALocalFailureNotChargedToThePeer() async throws {
        let network = MemoryNetwork(clock: SystemClock())
        let keys = FlakySigner()
        _ = try keys.generate()
        let node = try DHTNode(config: .init(transport: network.makeTransport(name: "ours"), keyStore: keys))
        let peerKeys = MemoryKeyStore()
        _ = try peerKeys.generate()
        let peer = try DHTNode(config: .init(transport: network.makeTransport(name: "peer"), keyStore: peerKeys))
        try await node.start()
        try await peer.start()
        _ = try await node.ping(peer.localAddress, timeout: .seconds(60))

        keys.failing.store(true, ordering: .relaxed)
        for _ in 0..<5 {
            do {
                _ = try await node.ping(peer.localAddress, expectedID: peer.nodeID, timeout: .seconds(60), attempts: 1)
                Issue.record("a request went out without a signature")
            } catch {
                #expect(Self.isLocal(error), "signing failure reported as \(error)")
            }
        }
        #expect(node.peerHealth(peer.nodeID) == .good, "five failed requests of ours did not count against the peer")
        do {
            try node.publishOwnEndpoint(EndpointPayload(endpoints: nil))
            Issue.record("an endpoint record was published without a signature")
        } catch {
            #expect(Self.isLocal(error), "signing failure reported as \(error)")
        }
        await node.close()
        await peer.close()
    }
}
