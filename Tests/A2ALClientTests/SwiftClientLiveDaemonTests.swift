import A2ALClient
import A2ALTestSupport
import A2ALRPC
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `A2ALClient` against the real `a2ald`: the exercise clients/c/example.c does (node.info,
/// agent.create, an invalid-params error, a `record_stored` event after `publish.endpoint`),
/// plus the other error shapes, concurrency on one connection, the Codable variant and the
/// daemon going away under a subscription and a pending call.
@Suite(.serialized, .timeLimit(.minutes(2))) struct SwiftClientLiveDaemonTests {
    static let schema = Result { try SchemaCatalog.shared() }

    static func expectValid(_ method: String, _ result: JSONValue, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let violations = try schema.get().resultViolations(method, result)
        #expect(violations.isEmpty, "\(method): \(violations) in \(result.compactText)", sourceLocation: sourceLocation)
    }

    /// The daemon's count of live subscriptions (`node.stats` → rpc.subscriptions).
    static func liveSubscriptions(_ client: A2ALClient) async throws -> Int64 {
        let stats = try await client.call("node.stats")
        return try #require(stats["rpc"]?["subscriptions"]?.intValue, "\(stats.compactText)")
    }

    // MARK: Methods

    @Test func methodsAnswerWithResultsTheSchemaAccepts() async throws {
        let daemon = try await DaemonProcess.start()
        let client = try await A2ALClient.connect(to: daemon.socketPath)
        #expect(client.socketPath == daemon.socketPath)

        let info = try await client.call("node.info")
        try Self.expectValid("node.info", info)
        #expect(info["socket"]?.stringValue == daemon.socketPath)
        #expect(info["data_dir"]?.stringValue == daemon.dataDir)
        #expect(info["agents"] == 0)

        let agent = try await client.call("agent.create", ["label": "swift-client"])
        try Self.expectValid("agent.create", agent)
        #expect(agent["label"] == "swift-client")
        let address = try #require(agent["address"]?.stringValue)

        let list = try await client.call("agent.list")
        try Self.expectValid("agent.list", list)
        var listed = try #require(agent.objectValue)
        listed["mailbox"] = ["unread": 0, "acked": 0]
        #expect(list["agents"]?.arrayValue == [.object(listed)])
        #expect(try await client.call("node.info")["agents"] == 1)

        let len = try await client.call("store.len")
        try Self.expectValid("store.len", len)
        #expect(len["keys"] == 0, "\(len.compactText)")
        #expect(len["records"] == 0, "\(len.compactText)")

        let doc = try await client.discover()
        #expect(doc["openrpc"]?.stringValue != nil, "\(doc.compactText.prefix(200))")
        let names = Set(doc["methods"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? [])
        let expected = Set(try Self.schema.get().methods.keys)
        #expect(!expected.isEmpty)
        #expect(expected.subtracting(names).isEmpty, "rpc.discover lacks \(expected.subtracting(names).sorted())")
        #expect(try await client.call("rpc.discover") == doc)

        #expect(!address.isEmpty)
        await client.close()
        #expect(client.isClosed)
        try await daemon.stop()
    }

    @Test func errorsArriveAsTheDaemonsErrorObjects() async throws {
        let daemon = try await DaemonProcess.start()
        let client = try await A2ALClient.connect(to: daemon.socketPath)

        // Invalid params, as clients/c/example.c provokes it: a missing parameter...
        let missing = try await #require(throws: A2ALClientError.self) { try await client.call("node.peer_health") }
        let missingRPC = try #require(missing.rpcError, "\(missing)")
        #expect(missingRPC.code == -32602)
        #expect(missingRPC.data?["field"] == "node_id", "\(missingRPC)")
        #expect(missing.kind == nil, "standard JSON-RPC errors have no application kind")
        // ...and an unknown one.
        let unknown = try await #require(throws: A2ALClientError.self) { try await client.call("agent.create", ["labl": "x"]) }
        #expect(unknown.rpcError?.code == -32602)
        #expect(unknown.rpcError?.data?["field"] == "labl", "\(unknown)")

        // An application error: not_found.
        let notFound = try await #require(throws: A2ALClientError.self) {
            try await client.call("unsubscribe", ["subscription": "0123456789abcdef"])
        }
        #expect(notFound.kind == .notFound, "\(notFound)")
        #expect(notFound.rpcError?.code == -32001)

        // Method not found.
        let noMethod = try await #require(throws: A2ALClientError.self) { try await client.call("no.such_method") }
        #expect(noMethod.rpcError?.code == -32601, "\(noMethod)")
        #expect(noMethod.rpcError?.data?["method"] == "no.such_method")

        // The daemon's own timeout wins over the local deadline (timeout_ms + margin).
        let timeout = try await #require(throws: A2ALClientError.self) {
            try await client.call("node.ping", ["addr": "127.0.0.1:9", "timeout_ms": 300])
        }
        #expect(timeout.kind == .timeout, "\(timeout)")
        #expect(timeout.rpcError?.code == -32002)

        // None of that ended the connection.
        #expect(client.isClosed == false)
        try Self.expectValid("node.info", try await client.call("node.info"))
        await client.close()
        try await daemon.stop()
    }

    // MARK: Subscriptions

    @Test func aRecordStoredEventArrivesAfterPublishEndpoint() async throws {
        let daemon = try await DaemonProcess.start()
        let client = try await A2ALClient.connect(to: daemon.socketPath)
        let sub = try await client.subscribe(to: "record_stored")
        #expect(sub.event == "record_stored")
        #expect(sub.id.count == 16 && sub.id.allSatisfy(\.isHexDigit), "\(sub.id)")
        #expect(try await Self.liveSubscriptions(client) == 1)
        let (items, _) = swiftClientCollect(sub)

        let agent = try await client.call("agent.create", ["label": "swift-publisher"])
        let address = try #require(agent["address"]?.stringValue)
        let published = try await client.call("publish.endpoint", [
            "agent": .string(address), "endpoints": ["quic://127.0.0.1:1"], "timeout_ms": 300,
        ])
        try Self.expectValid("publish.endpoint", published)

        let item = try await items.next("the record_stored event", within: .seconds(20))
        let event = try #require(item.event, "\(item)")
        #expect(event.subscription == sub.id)
        #expect(event.event == "record_stored")
        let violations = try Self.schema.get().eventViolations("record_stored", event.result)
        #expect(violations.isEmpty, "\(violations) in \(event.result.compactText)")
        #expect(event.result["publisher"]?.stringValue == address)
        #expect(event.result["type"] == "endpoint")
        #expect(event.result["type_code"] == 1)
        #expect(event.result["key"] == published["key"])
        #expect(event.result["seq"] == published["record"]?["seq"])

        try await sub.cancel()
        #expect(try await items.next("the end after cancel()").isFinished)
        #expect(try await Self.liveSubscriptions(client) == 0)
        await client.close()
        try await daemon.stop()
    }

    @Test func cancelEndsTheIterationAndTheConnectionCarriesOn() async throws {
        let daemon = try await DaemonProcess.start()
        let client = try await A2ALClient.connect(to: daemon.socketPath)
        let sub = try await client.subscribe(to: "peer_health")
        let other = try await client.subscribe(to: "record_stored")
        #expect(sub.id != other.id)
        let (items, reader) = swiftClientCollect(sub)
        #expect(try await Self.liveSubscriptions(client) == 2)

        try await sub.cancel()
        #expect(try await items.next("the end after cancel()").isFinished)
        _ = try await swiftClientWithin(.seconds(10), "the reader task") { await reader.value }
        // The daemon answered the unsubscribe before cancel() returned.
        #expect(try await Self.liveSubscriptions(client) == 1)
        try await sub.cancel()  // ended already: a no-op, not a not_found error
        try Self.expectValid("node.info", try await client.call("node.info"))

        // A reader whose task ends unsubscribes too (asynchronously, so wait for the count).
        let (_, otherReader) = swiftClientCollect(other)
        otherReader.cancel()
        _ = try await swiftClientWithin(.seconds(10), "the cancelled reader") { await otherReader.value }
        let deadline = ContinuousClock.now + .seconds(10)
        while try await Self.liveSubscriptions(client) != 0 {
            try #require(ContinuousClock.now < deadline, "the daemon still counts a subscription whose reader ended")
            try await Task.sleep(for: .milliseconds(20))  // polling daemon state nothing signals
        }
        #expect(client.isClosed == false)
        await client.close()
        try await daemon.stop()
    }

    // MARK: Concurrency and the Codable variant

    @Test func fiftyConcurrentCallsOnOneConnectionEachGetTheirOwnAnswer() async throws {
        let daemon = try await DaemonProcess.start()
        let client = try await A2ALClient.connect(to: daemon.socketPath)
        let answers = try await withThrowingTaskGroup(of: (Int, JSONValue).self) { group in
            for i in 0..<50 {
                group.addTask { (i, try await client.call("agent.create", ["label": .string("concurrent-\(i)")])) }
            }
            var out: [Int: JSONValue] = [:]
            for try await (i, agent) in group { out[i] = agent }
            return out
        }
        #expect(answers.count == 50)
        for (i, agent) in answers {
            #expect(agent["label"]?.stringValue == "concurrent-\(i)", "call \(i) got \(agent.compactText)")
        }
        let addresses = Set(answers.values.compactMap { $0["address"]?.stringValue })
        #expect(addresses.count == 50)
        let listed = try await client.call("agent.list")["agents"]?.arrayValue ?? []
        #expect(Set(listed.compactMap { $0["address"]?.stringValue }) == addresses)
        await client.close()
        try await daemon.stop()
    }

    struct CreateAgent: Encodable { let label: String }
    struct NoParams: Encodable {}
    struct Agent: Decodable, Equatable {
        let address: String
        let node_id: String
        let label: String
        let created_at: Int64
    }
    struct AgentList: Decodable { let agents: [Agent] }

    @Test func theCodableCallEncodesParamsAndDecodesResults() async throws {
        let daemon = try await DaemonProcess.start()
        let client = try await A2ALClient.connect(to: daemon.socketPath)
        let agent = try await client.call("agent.create", CreateAgent(label: "codable"), as: Agent.self)
        #expect(agent.label == "codable")
        #expect(agent.node_id.count == 64 && agent.node_id.allSatisfy(\.isHexDigit), "\(agent)")
        #expect(agent.created_at > 1_700_000_000)
        let list = try await client.call("agent.list", NoParams(), as: AgentList.self)
        #expect(list.agents == [agent])

        // The daemon's errors come through unchanged...
        let invalid = try await #require(throws: A2ALClientError.self) {
            try await client.call("agent.create", ["labl": "x"], as: Agent.self)
        }
        #expect(invalid.rpcError?.code == -32602)
        #expect(invalid.rpcError?.data?["field"] == "labl")
        // ...and a result of another shape is a protocol violation naming the method.
        let mismatch = try await #require(throws: A2ALClientError.self) {
            try await client.call("store.len", NoParams(), as: Agent.self)
        }
        guard case .protocolViolation(let why) = mismatch else {
            Issue.record("expected .protocolViolation, got \(mismatch)")
            return
        }
        #expect(why.contains("store.len"))
        await client.close()
        try await daemon.stop()
    }

    // MARK: Connecting and the daemon's end

    @Test func connectingToAMissingSocketNamesThePath() async throws {
        let dir = try DaemonDirectory()
        let error = try await #require(throws: A2ALClientError.self) {
            try await A2ALClient.connect(to: dir.socketPath)
        }
        guard case .connectFailed(let path, let reason) = error else {
            Issue.record("expected .connectFailed, got \(error)")
            return
        }
        #expect(path == dir.socketPath)
        #expect(reason.contains("is a2ald running"), "\(reason)")
        #expect(error.description.contains(dir.socketPath))

        // A socket file nobody listens on any more.
        let server = try UnixLineTestServer { _ in }
        server.stop()
        let refused = try await #require(throws: A2ALClientError.self) {
            try await A2ALClient.connect(to: server.path)
        }
        guard case .connectFailed(let refusedPath, let refusedReason) = refused else {
            Issue.record("expected .connectFailed, got \(refused)")
            return
        }
        #expect(refusedPath == server.path)
        #expect(refusedReason.contains("nothing listens"), "\(refusedReason)")

        // A path longer than a Unix socket address holds.
        let long = "/tmp/" + String(repeating: "x", count: 120) + ".sock"
        let tooLong = try await #require(throws: A2ALClientError.self) { try await A2ALClient.connect(to: long) }
        guard case .connectFailed(let longPath, let longReason) = tooLong else {
            Issue.record("expected .connectFailed, got \(tooLong)")
            return
        }
        #expect(longPath == long)
        #expect(longReason.contains("longer than"), "\(longReason)")
    }

    @Test func theDaemonStoppingEndsTheSubscriptionAndThePendingCall() async throws {
        let daemon = try await DaemonProcess.start()
        let client = try await A2ALClient.connect(to: daemon.socketPath)
        let sub = try await client.subscribe(to: "record_stored")
        let (items, _) = swiftClientCollect(sub)

        // A ping to a UDP socket that never answers stays in flight for a minute; its datagram
        // arriving there shows the daemon is working on it.
        let hole = try SwiftClientUDPBlackHole()
        let pending = Task { try await client.call("node.ping", ["addr": .string("127.0.0.1:\(hole.port)"), "timeout_ms": 60_000]) }
        let arrived = try await Offload.run { hole.waitForDatagram(timeout: .seconds(10)) }
        try #require(arrived, "the daemon did not send the ping")

        let status = try await daemon.stop()
        #expect(status == 0, "\(daemon.stderr)")

        let ended = try await items.next("the end of the subscription", within: .seconds(20))
        guard case .connectionClosed? = ended.error as? A2ALClientError else {
            Issue.record("the subscription should end with .connectionClosed, got \(ended)")
            return
        }
        let outcome = try await swiftClientWithin(.seconds(20), "the pending node.ping") { await pending.result }
        guard case .failure(let e) = outcome, let error = e as? A2ALClientError else {
            Issue.record("the pending call should fail with an A2ALClientError, got \(outcome)")
            return
        }
        // The daemon answers a call still running when it stops with `unavailable` before it
        // closes the connection (docs/jsonrpc.md, "Framing and protocol").
        #expect(error.kind == .unavailable, "unexpected error for the pending call: \(error)")
        #expect(client.isClosed)
        let late = try await #require(throws: A2ALClientError.self) {
            try await swiftClientWithin(.seconds(10), "a call after the daemon stopped") { try await client.call("node.info") }
        }
        guard case .connectionClosed = late else {
            Issue.record("expected .connectionClosed, got \(late)")
            return
        }
    }
}

/// A UDP socket on 127.0.0.1 that receives and never answers.
final class SwiftClientUDPBlackHole: @unchecked Sendable {
    let fd: Int32
    let port: UInt16

    init() throws {
        #if canImport(Glibc)
        let type = Int32(SOCK_DGRAM.rawValue)
        #else
        let type = SOCK_DGRAM
        #endif
        let sock = socket(AF_INET, type, 0)
        guard sock >= 0 else { throw TestFileError("socket(AF_INET, SOCK_DGRAM) failed: \(String(cString: strerror(errno)))") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p in
                bind(sock, p, len) == 0 && getsockname(sock, p, &len) == 0
            }
        }
        guard bound else {
            let e = errno
            _ = systemClose(sock)
            throw TestFileError("cannot bind a UDP socket on 127.0.0.1: \(String(cString: strerror(e)))")
        }
        fd = sock
        port = UInt16(bigEndian: addr.sin_port)
    }

    deinit { _ = systemClose(fd) }

    /// Blocks until a datagram arrives (true) or `timeout` passes (false).
    func waitForDatagram(timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, UnixSocket.milliseconds(deadline - ContinuousClock.now))
            if ready > 0 {
                var buffer = [UInt8](repeating: 0, count: 2048)
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n > 0 { return true }
            }
        }
        return false
    }
}
