import A2ALDHT
import Synchronization
import A2ALTestSupport
import Testing
@testable import A2ALUDP

/// If NIO's channel over the socket closes anyway, reading resumes on the same socket (same
/// port, same inode: no window for another process to take the port), and the change is
/// reported (docs/architecture.md, "A2ALUDP").
@Suite struct SocketReaderRecoveryTests {
    @Test(.timeLimit(.minutes(1))) func aDeadReaderIsReattachedToTheSameSocketAndReported() async throws {
        let a = try await UDPTransport.bind(host: "127.0.0.1", port: 0)
        let b = try await UDPTransport.bind(host: "127.0.0.1", port: 0)
        let changes = Mutex<[UDPTransport.StateChange]>([])
        a.onStateChange { change in changes.withLock { $0.append(change) } }
        let got = ReceivedLog()
        try await a.start { d, _ in got.append(d) }
        let inode = try #require(a.socketInode)
        #expect(a.stats.state == .up && a.stats.rebinds == 0)

        await a.simulateFatalSocketError()
        try await waitUntil { a.rebindCount == 1 }
        #expect(a.socketInode == inode)
        #expect(a.stats.state == .up && a.stats.lastError != nil)
        try await waitUntil { changes.withLock { $0.count } == 2 }
        let seen = changes.withLock { $0 }
        #expect(seen.map(\.state) == [.rebinding, .up], "\(seen)")
        #expect(seen.last?.rebinds == 1 && seen.last?.error == nil)

        // It hears again, and sending never stopped.
        try b.send([1, 2, 3], to: a.localAddress)
        try await waitUntil { got.count == 1 }
        await a.close()
        #expect(a.stats.state == .closed)
        await b.close()
    }
}
