import A2ALClient
import A2ALTestSupport
import A2ALRPC
import Foundation
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif



/// `A2ALClient` against a fake daemon that misbehaves on purpose: silence, odd framing, early
/// events, final notices, `id: null` errors, garbage and over-long lines.
@Suite(.timeLimit(.minutes(1))) struct SwiftClientEdgeCaseTests {
    static let subID = "00aa11bb22cc33dd"

    /// Answers `{"echo": method}`, except `hold`, which is answered (with `{"late": true}`)
    /// only just before the reply to the next request.
    static func holdingServer() throws -> SwiftClientFakeDaemon {
        try SwiftClientFakeDaemon { conn in
            var held: JSONValue?
            while let request = conn.nextRequest() {
                if request["method"] == "hold" {
                    held = request
                    continue
                }
                if let h = held {
                    conn.reply(to: h, ["late": true])
                    held = nil
                }
                conn.reply(to: request, ["echo": request["method"] ?? .null])
            }
        }
    }

    // MARK: Deadlines and cancellation

    @Test func aLocalTimeoutLeavesTheConnectionUsableAndIgnoresTheLateReply() async throws {
        let server = try Self.holdingServer()
        let client = try await A2ALClient.connect(to: server.path)
        let started = ContinuousClock.now
        await #expect(throws: A2ALClientError.timedOut(method: "hold", after: .milliseconds(200))) {
            try await swiftClientWithin(.seconds(10), "the held call") { try await client.call("hold", timeout: .milliseconds(200)) }
        }
        #expect(ContinuousClock.now - started >= .milliseconds(200))
        #expect(try await server.nextRequest()["id"] == 1)
        // The late reply to id 1 arrives first on the wire; it must not be taken for id 2's.
        let after = try await client.call("after")
        #expect(after == ["echo": "after"])
        #expect(try await server.nextRequest()["id"] == 2)
        #expect(client.isClosed == false)
        await client.close()
    }

    @Test func theDeadlineIsTimeoutMsPlusTheMarginElseTheCallTimeout() async throws {
        let server = try SwiftClientFakeDaemon { $0.drain() }  // never answers
        let client = try await A2ALClient.connect(to: server.path, options: swiftClientOptions {
            $0.timeoutMargin = .milliseconds(100)
            $0.callTimeout = .milliseconds(300)
        })
        await #expect(throws: A2ALClientError.timedOut(method: "slow", after: .milliseconds(250))) {
            try await swiftClientWithin(.seconds(10), "the slow call") { try await client.call("slow", ["timeout_ms": 150]) }
        }
        let sent = try await server.nextRequest()
        #expect(sent["params"] == ["timeout_ms": 150], "timeout_ms goes to the daemon unchanged")
        await #expect(throws: A2ALClientError.timedOut(method: "plain", after: .milliseconds(300))) {
            try await swiftClientWithin(.seconds(10), "the plain call") { try await client.call("plain") }
        }
        #expect(try await server.nextRequest()["params"] == nil, "empty params are left out")
        await client.close()
    }

    @Test func cancellingAPendingCallThrowsCancellationError() async throws {
        let server = try Self.holdingServer()
        let client = try await A2ALClient.connect(to: server.path)
        let pending = Task { try await client.call("hold") }
        #expect(try await server.nextRequest()["method"] == "hold")  // it is in flight now
        pending.cancel()
        let outcome = try await swiftClientWithin(.seconds(10), "the cancelled call") { await pending.result }
        #expect(throws: CancellationError.self) { try outcome.get() }
        // The connection carries on, and the late reply to the cancelled call is dropped.
        #expect(try await client.call("after") == ["echo": "after"])
        await client.close()
    }

    @Test func aCallFromAnAlreadyCancelledTaskIsNeverSent() async throws {
        let server = try Self.holdingServer()
        let client = try await A2ALClient.connect(to: server.path)
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await client.call("early")
        }
        let outcome = try await swiftClientWithin(.seconds(10), "the pre-cancelled call") { await early.result }
        #expect(throws: CancellationError.self) { try outcome.get() }
        #expect(try await client.call("after") == ["echo": "after"])
        #expect(try await server.nextRequest()["method"] == "after", "the cancelled call was not written")
        await client.close()
    }

    // MARK: Framing

    @Test func aReplySplitAcrossWritesIsReassembled() async throws {
        let text = "héllo — ✓ 𝄞"
        let server = try SwiftClientFakeDaemon { conn in
            while let request = conn.nextRequest() {
                let bytes = Array(SwiftClientFakeDaemon.Connection.reply(request, ["text": .string(text)]).utf8)
                // Cut inside the multi-byte characters too: the client must join bytes, not strings.
                let cuts = [0, 9, bytes.count - 12, bytes.count - 2, bytes.count]
                for (a, b) in zip(cuts, cuts.dropFirst()) {
                    _ = bytes[a..<b].withUnsafeBytes { send(conn.raw.fd, $0.baseAddress, $0.count, UnixSocket.noSignal) }
                    usleep(20_000)  // lets each piece arrive as its own read; correctness does not depend on it
                }
            }
        }
        let client = try await A2ALClient.connect(to: server.path)
        #expect(try await client.call("split") == ["text": .string(text)])
        #expect(try await client.call("again")["text"]?.stringValue == text)
        await client.close()
    }

    @Test func twoRepliesInOneWriteReachTheirOwnCalls() async throws {
        let server = try SwiftClientFakeDaemon { conn in
            while let first = conn.nextRequest(), let second = conn.nextRequest() {
                // Reversed, plus a reply to an id nobody waits for and a CRLF ending, in one write.
                let stray = SwiftClientFakeDaemon.Connection.line(["jsonrpc": "2.0", "id": 999, "result": ["stray": true]])
                var both = stray + SwiftClientFakeDaemon.Connection.reply(second, ["method": second["method"] ?? .null, "id": second["id"] ?? .null])
                both.removeLast()
                both += "\r\n" + SwiftClientFakeDaemon.Connection.reply(first, ["method": first["method"] ?? .null, "id": first["id"] ?? .null])
                conn.write(both)
            }
        }
        let client = try await A2ALClient.connect(to: server.path)
        async let a = client.call("alpha")
        async let b = client.call("beta")
        let (ra, rb) = try await (a, b)
        #expect(ra["method"] == "alpha")
        #expect(rb["method"] == "beta")
        #expect(ra["id"] != rb["id"])
        #expect(client.isClosed == false)
        await client.close()
    }

    @Test(arguments: [
        "this is not json",
        "[1,2,3]",
        #"{"jsonrpc":"2.0","id":"abc","result":{}}"#,
        #"{"jsonrpc":"2.0","id":null}"#,
        #"{"jsonrpc":"2.0","method":"subscription","params":{}}"#,
    ])
    func aGarbageLineIsAProtocolViolationAndClosesTheConnection(_ garbage: String) async throws {
        let server = try SwiftClientFakeDaemon { conn in
            guard conn.nextRequest() != nil else { return }
            conn.write(garbage + "\n")
            conn.drain()
        }
        let client = try await A2ALClient.connect(to: server.path)
        let error = try await #require(throws: A2ALClientError.self) { try await client.call("node.info") }
        guard case .protocolViolation(let why) = error else {
            Issue.record("expected .protocolViolation for \(garbage), got \(error)")
            return
        }
        #expect(!why.isEmpty)
        _ = try await server.nextRequest()
        #expect(try await server.seen.next("the client's close") == .clientClosed)
        #expect(client.isClosed)
        await #expect(throws: A2ALClientError.self) { try await client.call("node.info") }
    }

    @Test(arguments: [true, false])
    func anOverlongLineIsAProtocolViolation(terminated: Bool) async throws {
        let server = try SwiftClientFakeDaemon { conn in
            guard let first = conn.nextRequest() else { return }
            conn.reply(to: first, ["ok": true])  // well under the limit
            guard let second = conn.nextRequest() else { return }
            let long = SwiftClientFakeDaemon.Connection.reply(second, ["blob": .string(String(repeating: "x", count: 1000))])
            conn.write(terminated ? long : String(long.dropLast()))
            conn.drain()
        }
        let client = try await A2ALClient.connect(to: server.path, options: swiftClientOptions { $0.maxLineBytes = 64 })
        #expect(try await client.call("short") == ["ok": true])
        let error = try await #require(throws: A2ALClientError.self) { try await client.call("long") }
        guard case .protocolViolation(let why) = error else {
            Issue.record("expected .protocolViolation, got \(error)")
            return
        }
        #expect(why.contains("64"), "\(why)")
        #expect(client.isClosed)
        _ = try await server.nextRequest()
        _ = try await server.nextRequest()
        #expect(try await server.seen.next("the client's close") == .clientClosed)
    }

    // MARK: Subscriptions

    @Test func anEventWrittenBeforeTheSubscribeReplyIsDelivered() async throws {
        let id = Self.subID
        let server = try SwiftClientFakeDaemon { conn in
            while let request = conn.nextRequest() {
                switch request["method"]?.stringValue {
                case "subscribe":
                    conn.write(SwiftClientFakeDaemon.Connection.event(id, ["n": 1]))
                    usleep(20_000)  // makes the early event a read of its own; not relied on
                    conn.write(SwiftClientFakeDaemon.Connection.reply(request, ["subscription": .string(id)])
                               + SwiftClientFakeDaemon.Connection.event(id, ["n": 2]))
                case "unsubscribe":
                    conn.reply(to: request, ["unsubscribed": true])
                default:
                    conn.reply(to: request, ["echo": request["method"] ?? .null])
                }
            }
        }
        let client = try await A2ALClient.connect(to: server.path)
        let sub = try await client.subscribe(to: "record_stored")
        #expect(sub.id == id)
        #expect(sub.event == "record_stored")
        #expect(try await server.nextRequest()["params"] == ["event": "record_stored"])
        let (items, _) = swiftClientCollect(sub)
        #expect(try await items.next("event 1").event == A2ALEvent(subscription: id, event: "record_stored", result: ["n": 1]))
        #expect(try await items.next("event 2").event == A2ALEvent(subscription: id, event: "record_stored", result: ["n": 2]))

        try await sub.cancel()
        #expect(try await items.next("the end of the sequence").isFinished)
        let unsubscribe = try await server.nextRequest()
        #expect(unsubscribe["method"] == "unsubscribe")
        #expect(unsubscribe["params"] == ["subscription": .string(id)])
        try await sub.cancel()  // a no-op now
        #expect(try await client.call("after") == ["echo": "after"])
        #expect(try await server.nextRequest()["method"] == "after", "cancel() sent one unsubscribe only")
        await client.close()
    }

    @Test func aSlowSubscriberNoticeEndsThatSubscriptionOnly() async throws {
        let id = Self.subID
        let server = try SwiftClientFakeDaemon { conn in
            while let request = conn.nextRequest() {
                if request["method"] == "subscribe" {
                    let notice: JSONValue = ["jsonrpc": "2.0", "method": "subscription", "params": [
                        "subscription": .string(id),
                        "error": ["code": -32011, "message": "subscriber too slow", "data": ["kind": "slow_subscriber"]],
                    ]]
                    conn.write(SwiftClientFakeDaemon.Connection.reply(request, ["subscription": .string(id)])
                               + SwiftClientFakeDaemon.Connection.event(id, ["n": 1])
                               + SwiftClientFakeDaemon.Connection.line(notice))
                } else {
                    conn.reply(to: request, ["echo": request["method"] ?? .null])
                }
            }
        }
        let client = try await A2ALClient.connect(to: server.path)
        let sub = try await client.subscribe(to: "peer_health")
        let (items, _) = swiftClientCollect(sub)
        #expect(try await items.next("the event before the notice").event?.result == ["n": 1])
        let ended = try await items.next("the end of the subscription")
        let error = try #require(ended.error as? A2ALClientError, "\(ended)")
        #expect(error == .rpc(RPCError(code: -32011, message: "subscriber too slow", data: ["kind": "slow_subscriber"])))
        #expect(error.kind == .slowSubscriber)

        // The daemon dropped it already: cancel() sends nothing, and the connection stays open.
        try await sub.cancel()
        #expect(try await client.call("after") == ["echo": "after"])
        #expect(try await server.nextRequest()["method"] == "subscribe")
        #expect(try await server.nextRequest()["method"] == "after", "no unsubscribe for a subscription the daemon ended")
        #expect(client.isClosed == false)
        await client.close()
    }

    @Test func aFullEventBufferEndsTheSubscriptionAndUnsubscribes() async throws {
        let id = Self.subID
        let server = try SwiftClientFakeDaemon { conn in
            while let request = conn.nextRequest() {
                switch request["method"]?.stringValue {
                case "subscribe":
                    conn.reply(to: request, ["subscription": .string(id)])
                case "flood":
                    // Four events, then the reply: once the call returns, all four were handled.
                    conn.write((1...4).map { SwiftClientFakeDaemon.Connection.event(id, ["n": .int(Int64($0))]) }.joined()
                               + SwiftClientFakeDaemon.Connection.reply(request, [:]))
                case "unsubscribe":
                    conn.reply(to: request, ["unsubscribed": true])
                default:
                    conn.reply(to: request, ["echo": request["method"] ?? .null])
                }
            }
        }
        let client = try await A2ALClient.connect(to: server.path, options: swiftClientOptions { $0.eventBufferLimit = 2 })
        let sub = try await client.subscribe(to: "record_stored")
        try await client.call("flood")
        let (items, _) = swiftClientCollect(sub)
        #expect(try await items.next("event 1").event?.result == ["n": 1])
        #expect(try await items.next("event 2").event?.result == ["n": 2])
        let ended = try await items.next("the overflow")
        #expect(ended.error as? A2ALClientError == .eventBufferOverflow(subscription: id, bufferedEvents: 2), "\(ended)")
        // The daemon is told, so it stops sending events nobody will read.
        #expect(try await server.nextRequest()["method"] == "subscribe")
        #expect(try await server.nextRequest()["method"] == "flood")
        let unsubscribe = try await server.nextRequest("the unsubscribe after the overflow")
        #expect(unsubscribe["method"] == "unsubscribe")
        #expect(unsubscribe["params"] == ["subscription": .string(id)])
        await client.close()
    }

    @Test func aSubscribeReplyWithoutAnIdIsAProtocolViolation() async throws {
        let server = try SwiftClientFakeDaemon { conn in
            while let request = conn.nextRequest() { conn.reply(to: request, ["ok": true]) }
        }
        let client = try await A2ALClient.connect(to: server.path)
        let error = try await #require(throws: A2ALClientError.self) { try await client.subscribe(to: "record_stored") }
        guard case .protocolViolation = error else {
            Issue.record("expected .protocolViolation, got \(error)")
            return
        }
        #expect(try await client.call("after") == ["ok": true], "a bad reply to one call does not end the connection")
        await client.close()
    }

    // MARK: The connection's end

    @Test func anIdNullOverloadedErrorBeforeTheCloseFailsPendingCallsWithIt() async throws {
        let id = Self.subID
        let server = try SwiftClientFakeDaemon { conn in
            guard let subscribe = conn.nextRequest() else { return }
            conn.reply(to: subscribe, ["subscription": .string(id)])
            guard conn.nextRequest() != nil else { return }
            conn.write(#"{"jsonrpc":"2.0","id":null,"error":{"code":-32007,"message":"overloaded: too many calls","data":{"kind":"overloaded"}}}"# + "\n")
            // Returning closes the connection.
        }
        let overloaded = A2ALClientError.rpc(RPCError(code: -32007, message: "overloaded: too many calls", data: ["kind": "overloaded"]))
        let client = try await A2ALClient.connect(to: server.path)
        let sub = try await client.subscribe(to: "record_stored")
        let (items, _) = swiftClientCollect(sub)
        let error = try await #require(throws: A2ALClientError.self) {
            try await swiftClientWithin(.seconds(10), "the pending call") { try await client.call("node.info") }
        }
        #expect(error == overloaded)
        #expect(error.kind == .overloaded)
        let ended = try await items.next("the end of the subscription")
        #expect(ended.error as? A2ALClientError == overloaded, "\(ended)")
        #expect(client.isClosed)
        // Later calls fail at once with the same word instead of waiting.
        await #expect(throws: overloaded) {
            try await swiftClientWithin(.seconds(10), "a call after the close") { try await client.call("node.info") }
        }
    }

    @Test func closeFailsPendingCallsAndEndsSubscriptions() async throws {
        let id = Self.subID
        let server = try SwiftClientFakeDaemon { conn in
            while let request = conn.nextRequest() {
                if request["method"] == "subscribe" { conn.reply(to: request, ["subscription": .string(id)]) }
            }
        }
        let client = try await A2ALClient.connect(to: server.path)
        let sub = try await client.subscribe(to: "record_stored")
        let (items, _) = swiftClientCollect(sub)
        let pending = Task { try await client.call("hold") }
        _ = try await server.nextRequest()
        #expect(try await server.nextRequest()["method"] == "hold")
        await client.close()
        let outcome = try await swiftClientWithin(.seconds(10), "the pending call") { await pending.result }
        guard case .failure(let e) = outcome, case .connectionClosed? = e as? A2ALClientError else {
            Issue.record("expected .connectionClosed, got \(outcome)")
            return
        }
        let ended = try await items.next("the end of the subscription")
        guard case .connectionClosed? = ended.error as? A2ALClientError else {
            Issue.record("expected .connectionClosed, got \(ended)")
            return
        }
        #expect(client.isClosed)
        #expect(try await server.seen.next("the client's close") == .clientClosed)
        await #expect(throws: A2ALClientError.self) { try await client.call("node.info") }
    }

    @Test func codableParamsThatAreNotAnObjectAreRefusedBeforeSending() async throws {
        let server = try Self.holdingServer()
        let client = try await A2ALClient.connect(to: server.path)
        let error = try await #require(throws: A2ALClientError.self) {
            try await client.call("agent.list", [1, 2, 3], as: [String: String].self)
        }
        guard case .invalidArgument(let why) = error else {
            Issue.record("expected .invalidArgument, got \(error)")
            return
        }
        #expect(why.contains("agent.list"))
        #expect(try await client.call("after") == ["echo": "after"])
        #expect(try await server.nextRequest()["method"] == "after", "nothing was sent for the refused call")
        await client.close()
    }

    // MARK: The default socket path

    struct PathCase: Sendable, CustomTestStringConvertible {
        let environment: [String: String]
        let uid: UInt32
        let expected: String
        var testDescription: String { "\(environment) uid \(uid) → \(expected)" }
    }

    @Test(arguments: [
        PathCase(environment: ["A2AL_SOCKET": "/srv/x.sock", "XDG_RUNTIME_DIR": "/run/user/1000"], uid: 1000, expected: "/srv/x.sock"),
        PathCase(environment: ["A2AL_SOCKET": "relative.sock"], uid: 0, expected: "relative.sock"),
        PathCase(environment: ["A2AL_SOCKET": "", "XDG_RUNTIME_DIR": "/run/user/1000"], uid: 1000, expected: "/run/user/1000/a2al.sock"),
        PathCase(environment: ["XDG_RUNTIME_DIR": "/run/user/0"], uid: 0, expected: "/run/a2al.sock"),
        PathCase(environment: [:], uid: 0, expected: "/run/a2al.sock"),
        PathCase(environment: ["XDG_RUNTIME_DIR": "/run/user/1000"], uid: 1000, expected: "/run/user/1000/a2al.sock"),
        PathCase(environment: ["XDG_RUNTIME_DIR": "/run/user/1000/"], uid: 1000, expected: "/run/user/1000/a2al.sock"),
        PathCase(environment: ["XDG_RUNTIME_DIR": "run/user/1000"], uid: 1000, expected: "/tmp/a2al-1000/a2al.sock"),
        PathCase(environment: ["XDG_RUNTIME_DIR": ""], uid: 1000, expected: "/tmp/a2al-1000/a2al.sock"),
        PathCase(environment: [:], uid: 4242, expected: "/tmp/a2al-4242/a2al.sock"),
    ])
    func defaultSocketPath(_ c: PathCase) {
        var environment = c.environment
        environment["A2AL_TEST_EUID"] = String(c.uid)
        #expect(A2ALSocketPath.resolveDefault(environment: environment) == c.expected)
    }

    @Test func theProcessEnvironmentIsReadFromEnviron() throws {
        let env = A2ALSocketPath.currentEnvironment()
        let path = try #require(getenv("PATH").map { String(cString: $0) })
        #expect(env["PATH"] == path)
        #expect(env.count >= 1)
    }
}
