import A2ALTestSupport
import A2ALRPC
import Foundation
import Testing

/// The end-to-end client against a local Unix-socket server written here with Glibc.
@Suite struct RPCLineClientTests {
    /// Answers every request line with its method and params, after a notification.
    static func echoServer() throws -> UnixLineTestServer {
        try UnixLineTestServer { conn in
            while let line = conn.readLine() {
                guard let request = try? JSONParser.parse(line), let id = request["id"] else { continue }
                let note: JSONValue = ["jsonrpc": "2.0", "method": "subscription",
                                       "params": ["subscription": "00aa", "result": ["seen": request["method"] ?? .null]]]
                let reply: JSONValue = ["jsonrpc": "2.0", "id": id,
                                        "result": ["method": request["method"] ?? .null, "params": request["params"] ?? .null]]
                // Notification and reply in one write: the client must split coalesced lines.
                conn.write(String(decoding: JSONWriter.write(note) + [0x0A] + JSONWriter.write(reply) + [0x0A], as: UTF8.self))
            }
        }
    }

    @Test func readsLinesSplitAndCoalescedAcrossReads() throws {
        let server = try UnixLineTestServer { conn in
            conn.write("one\ntw")
            usleep(50_000)
            conn.write("o\r\nthree\n")
            usleep(20_000)
            conn.write("tail")
        }
        let client = try RPCLineClient(path: server.path)
        #expect(try client.readLine() == "one")
        #expect(try client.readLine() == "two")
        #expect(try client.readLine() == "three")
        #expect(try client.readLine() == "tail", "bytes after the last newline come back at close")
        #expect(try client.readLine() == nil)
    }

    @Test func callReturnsItsResponseAndKeepsNotifications() throws {
        let server = try Self.echoServer()
        let client = try RPCLineClient(path: server.path)
        let first = try client.call("node.ping", ["addr": "127.0.0.1:1"])
        #expect(first["id"] == 1)
        #expect(first["result"]?["method"] == "node.ping")
        #expect(first["result"]?["params"] == ["addr": "127.0.0.1:1"])
        let second = try client.result("store.len")
        #expect(second["method"] == "store.len")
        let note1 = try client.nextNotification()
        let note2 = try client.nextNotification()
        #expect(note1["params"]?["result"]?["seen"] == "node.ping")
        #expect(note2["params"]?["result"]?["seen"] == "store.len")
    }

    @Test func paramsCanBeLeftOut() throws {
        let server = try Self.echoServer()
        let client = try RPCLineClient(path: server.path)
        let r = try client.call("rpc.discover", nil)
        #expect(r["result"]?["params"] == .null)
    }

    @Test func resultThrowsWithTheErrorOfAFailedCall() throws {
        let server = try UnixLineTestServer { conn in
            while let line = conn.readLine() {
                let id = (try? JSONParser.parse(line))?["id"] ?? .null
                conn.write(#"{"jsonrpc":"2.0","id":\#(String(decoding: JSONWriter.write(id), as: UTF8.self)),"error":{"code":-32001,"message":"no such record","data":{"kind":"not_found"}}}"# + "\n")
            }
        }
        // A method whose schema declares not_found: the client checks every error reply against it.
        let client = try RPCLineClient(path: server.path)
        #expect(throws: RPCClientError.self) { try client.result("unsubscribe", ["subscription": "0123456789abcdef"]) }
        do {
            _ = try client.result("unsubscribe", ["subscription": "0123456789abcdef"])
        } catch let e as RPCClientError {
            #expect(e.description.contains("no such record"))
        }
    }

    @Test func readTimesOutWhenThePeerIsSilent() throws {
        let server = try UnixLineTestServer { conn in while conn.readLine() != nil {} }
        let client = try RPCLineClient(path: server.path)
        do {
            _ = try client.readLine(timeout: .milliseconds(200))
            Issue.record("readLine returned although nothing was sent")
        } catch let e as RPCClientError {
            #expect(e.kind == .timeout)
        }
        do {
            _ = try client.call("node.info", [:], timeout: .milliseconds(200))
            Issue.record("call returned although nothing was answered")
        } catch let e as RPCClientError {
            #expect(e.kind == .timeout)
            #expect(e.description.contains("node.info"))
        }
    }

    @Test func aClosedConnectionIsReportedNotAwaited() throws {
        let server = try UnixLineTestServer { conn in _ = conn.readLine() }
        let client = try RPCLineClient(path: server.path)
        do {
            _ = try client.call("node.info", [:], timeout: .seconds(10))
            Issue.record("call returned although the server closed")
        } catch let e as RPCClientError {
            #expect(e.kind == .closed)
        }
    }

    @Test func connectingToNothingNamesThePath() throws {
        let dir = try DaemonDirectory()
        do {
            _ = try RPCLineClient(path: dir.socketPath)
            Issue.record("connected to a socket that does not exist")
        } catch let e as RPCClientError {
            #expect(e.kind == .connect)
            #expect(e.description.contains(dir.socketPath))
        }
        #expect(throws: RPCClientError.self) { try RPCLineClient(path: "/tmp/" + String(repeating: "x", count: 120)) }
    }

    @Test func manyConnectionsAtOnce() async throws {
        let server = try Self.echoServer()
        let path = server.path
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<24 {
                group.addTask {
                    try await Offload.run {
                        let client = try RPCLineClient(path: path)
                        for k in 0..<5 {
                            let r = try client.call("echo", ["n": .int(Int64(n)), "k": .int(Int64(k))])
                            guard r["id"] == .int(Int64(k + 1)), r["result"]?["params"] == ["n": .int(Int64(n)), "k": .int(Int64(k))] else {
                                throw RPCClientError(kind: .protocolViolation, description: "connection \(n) call \(k): \(r)")
                            }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
