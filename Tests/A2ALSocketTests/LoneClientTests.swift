import A2ALSocket
import Testing

/// A loop with a single client waits for that client's next request in `recv` rather than in
/// `epoll_wait`, and still hears everything else it must (docs/architecture.md, "The JSON-RPC
/// socket").
@Suite(.serialized)
struct LoneClientTests {
    /// A lone client is served on a loop other than the listener's, and its requests are read
    /// by that loop waiting on it alone.
    @Test func aLoneClientIsReadByItsLoopWaitingInRecv() async throws {
        let dir = try SocketTestDirectory()
        defer { dir.remove() }
        let threads = LineThreads()
        let server = try await SocketTest.start(UnixSocketOptions(path: dir.socketPath), probe: threads.makeProbe(), threads: 2)
        let client = try UnixTestClient.connect(dir.socketPath)
        for index in 0..<30 {
            try client.write("ping-\(index)\n")
            #expect(try client.readText() == "ping-\(index)")
        }
        // The first request arrives through epoll; the next ones find the loop waiting in recv
        // unless the client took longer than the receive timeout between two of them.
        #expect(server.readsWhileAlone >= 1)
        #expect(Set(threads.byLine.values) == ["a2al-rpc-1"])
        client.close()
        await server.stop()
    }

    /// A connection handed to a loop while it waits on its one client is adopted and served:
    /// the wait ends at the receive timeout, the client sending nothing more.
    @Test func aLoopWaitingOnItsClientStillAdoptsANewOne() async throws {
        let dir = try SocketTestDirectory()
        defer { dir.remove() }
        let threads = LineThreads()
        let server = try await SocketTest.start(UnixSocketOptions(path: dir.socketPath), probe: threads.makeProbe(), threads: 2)
        let alone = try UnixTestClient.connect(dir.socketPath)
        try alone.write("alone-1\n")
        #expect(try alone.readText() == "alone-1")
        // The listener's loop takes the second client; the third goes to the waiting loop.
        let second = try UnixTestClient.connect(dir.socketPath)
        try second.write("second\n")
        #expect(try second.readText() == "second")
        let third = try UnixTestClient.connect(dir.socketPath)
        try third.write("third\n")
        #expect(try third.readText() == "third")
        try alone.write("alone-2\n")
        #expect(try alone.readText() == "alone-2")
        let seen = threads.byLine
        #expect(seen["alone-1"] == "a2al-rpc-1")
        #expect(seen["second"] == "a2al-rpc-0")
        #expect(seen["third"] == "a2al-rpc-1")
        #expect(seen["alone-2"] == "a2al-rpc-1")
        for client in [alone, second, third] { client.close() }
        await server.stop()
    }

    /// Stopping the server ends a loop's wait on its lone client: the stop returns and the
    /// client sees its connection closed.
    @Test func stoppingEndsTheWaitOnALoneClient() async throws {
        let dir = try SocketTestDirectory()
        defer { dir.remove() }
        let server = try await SocketTest.start(UnixSocketOptions(path: dir.socketPath), probe: UnixSocketProbe(), threads: 2)
        let client = try UnixTestClient.connect(dir.socketPath)
        try client.write("before the stop\n")
        #expect(try client.readText() == "before the stop")
        await server.stop()
        #expect(try client.readLine() == nil)
        client.close()
    }
}
