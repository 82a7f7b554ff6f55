import A2ALTestSupport
import A2ALRPC
import Testing

/// `echo '{...}' | socat - UNIX-CONNECT:sock` sends its request and shuts its sending side at
/// once: every reply must still arrive, then the daemon closes the connection.
@Suite(.serialized) struct HalfCloseEndToEndTests {
    @Test func repliesOutliveTheClientsEndOfInput() async throws {
        let d = try await DaemonProcess.start()
        let c = try d.connect()
        // A slow call (a ping nobody answers), a fast one, and a last line without '\n'.
        try c.send(line: #"{"jsonrpc":"2.0","id":1,"method":"node.ping","params":{"addr":"127.0.0.1:9","timeout_ms":400}}"#)
        try c.send(line: #"{"jsonrpc":"2.0","id":2,"method":"node.info"}"#)
        try c.send(line: #"{"jsonrpc":"2.0","id":3,"method":"store.len"}"#, terminated: false)
        c.shutdownWrite()
        var ids: Set<Int64> = []
        for _ in 0..<3 {
            let reply = try #require(try await Offload.run { try c.readJSON(timeout: .seconds(10)) })
            ids.insert(try #require(reply["id"]?.intValue))
        }
        #expect(ids == [1, 2, 3])
        // Then the daemon closes: end of stream, no further line.
        #expect(try await Offload.run { try? c.readLine(timeout: .seconds(10)) } == nil)
        c.close()

        // A half-closed subscriber keeps receiving events until it closes.
        let s = try d.connect()
        try s.send(line: #"{"jsonrpc":"2.0","id":1,"method":"subscribe","params":{"event":"record_stored"}}"#)
        s.shutdownWrite()
        #expect(try await Offload.run { try s.readJSON(timeout: .seconds(10)) }?["result"]?["subscription"] != nil)
        let agent = try await d.result("agent.create")
        try await d.result("publish.endpoint", ["agent": .string(agent.str("address")), "endpoints": ["quic://127.0.0.1:1"],
                                                "timeout_ms": 200])
        let event = try await Offload.run { try s.readJSON(timeout: .seconds(10)) }
        #expect(event?["method"] == "subscription")
        s.close()
        try await d.stop()
    }
}
