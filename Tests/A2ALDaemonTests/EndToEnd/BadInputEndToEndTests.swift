import A2ALTestSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import A2ALCore
import A2ALProtocol
import A2ALRPC
import Foundation
import Testing

/// What a hostile or broken client can throw at the real `a2ald` through its socket: malformed
/// JSON, malformed requests and batches, unknown methods, bad params, a huge line, a connection
/// storm and a subscriber that never reads. Each test asserts the exact error the contract
/// (docs/jsonrpc.md) promises and that the daemon stays up and keeps serving other clients.
@Suite(.serialized) struct BadInputEndToEndTests {
    // MARK: 1. Not JSON

    @Test func invalidJSONIsAParseErrorNamingTheByteOffset() async throws {
        let d = try await DaemonProcess.start()
        let c = try d.connect()
        defer { c.close() }
        // The offset is where the parser gave up: the end of the input for a truncated value,
        // the first byte for something that is no JSON value at all.
        let cases: [(line: String, offset: Int)] = [(#"{"jsonrpc":"#, 11), ("garbage", 0), ("[1,2", 4)]
        for (line, offset) in cases {
            let reply = try await BadInputWire.exchange(c, line)
            BadInputWire.expectError(reply, code: -32700, id: .null, mentioning: ["at byte \(offset)"], after: line)
            // The connection survives a parse error and serves the next request.
            let ok = try await BadInputWire.exchange(c, #"{"jsonrpc":"2.0","id":"after","method":"node.info"}"#)
            #expect(ok?["id"] == "after" && ok?["result"]?["node_id"] != nil, "after \(line): \(BadInputWire.show(ok))")
            try await BadInputWire.expectStillServing(d, after: line)
        }
        try await d.stop()
    }

    // MARK: 2. Not a valid request, batches

    @Test func malformedRequestsAreInvalidRequests() async throws {
        let d = try await DaemonProcess.start()
        let c = try d.connect()
        defer { c.close() }
        // (line, the id the reply must carry, words the message must contain)
        let cases: [(line: String, id: JSONValue, mentions: [String])] = [
            (#"{"jsonrpc":"1.0","id":1,"method":"node.info"}"#, 1, ["jsonrpc", "1.0"]),
            (#"{"jsonrpc":2,"id":2,"method":"node.info"}"#, 2, ["jsonrpc"]),
            (#"{"id":3,"method":"node.info"}"#, 3, ["jsonrpc", "missing"]),
            ("42", .null, ["object"]),
            (#""x""#, .null, ["object"]),
            (#"{"jsonrpc":"2.0","id":{"a":1},"method":"node.info"}"#, .null, ["id"]),
            (#"{"jsonrpc":"2.0","id":[1],"method":"node.info"}"#, .null, ["id"]),
            (#"{"jsonrpc":"2.0","id":4,"method":"node.info","extra_member":true}"#, 4, ["extra_member"]),
            ("[]", .null, ["empty batch"]),
            (BadInputWire.batch(of: 101), .null, ["101", "100"]),
        ]
        for (line, id, mentions) in cases {
            let reply = try await BadInputWire.exchange(c, line)
            // A rejected batch is one error object, not an array of them.
            BadInputWire.expectError(reply, code: -32600, id: id, mentioning: mentions, after: String(line.prefix(80)))
            try await BadInputWire.expectStillServing(d, after: String(line.prefix(80)))
        }
        try await d.stop()
    }

    @Test func batchesAnswerOnlyTheirCallsInOneArray() async throws {
        let d = try await DaemonProcess.start()
        let c = try d.connect()
        defer { c.close() }

        // Calls, notifications (a valid one and one to an unknown method) and a non-request:
        // one array comes back with exactly the replies that have an id to carry.
        let mixed = "[" + [
            #"{"jsonrpc":"2.0","id":10,"method":"node.info"}"#,
            #"{"jsonrpc":"2.0","method":"node.info"}"#,
            #"{"jsonrpc":"2.0","id":"eleven","method":"store.len"}"#,
            #"{"jsonrpc":"2.0","method":"no.such_method"}"#,
            "42",
        ].joined(separator: ",") + "]"
        let reply = try await BadInputWire.exchange(c, mixed)
        let entries = try #require(reply?.arrayValue, "mixed batch: expected one array, got \(BadInputWire.show(reply))")
        #expect(entries.count == 3, "mixed batch: \(BadInputWire.show(reply))")
        let byID = Dictionary(entries.map { (BadInputWire.show($0["id"]), $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byID["10"]?["result"]?["node_id"] != nil, "node.info in batch: \(BadInputWire.show(reply))")
        #expect(byID[#""eleven""#]?["result"]?["keys"] != nil, "store.len in batch: \(BadInputWire.show(reply))")
        #expect(byID["null"]?["error"]?["code"] == -32600, "42 in batch: \(BadInputWire.show(reply))")
        try await BadInputWire.expectNextReplyIsProbe(c, after: "mixed batch")
        try await BadInputWire.expectStillServing(d, after: "mixed batch")

        // Only notifications: nothing at all comes back, so the next line is the probe's reply.
        let silent = "[" + [
            #"{"jsonrpc":"2.0","method":"node.info"}"#,
            #"{"jsonrpc":"2.0","method":"store.len","params":{}}"#,
            #"{"jsonrpc":"2.0","method":"no.such_method"}"#,
        ].joined(separator: ",") + "]"
        try await Offload.run { try c.send(line: silent) }
        try await BadInputWire.expectNextReplyIsProbe(c, after: "batch of notifications")
        try await BadInputWire.expectSilence(c, after: "batch of notifications")
        try await BadInputWire.expectStillServing(d, after: "batch of notifications")
        try await d.stop()
    }

    // MARK: 3. Unknown methods

    @Test func unknownMethodIsMethodNotFound() async throws {
        let d = try await DaemonProcess.start()
        let c = try d.connect()
        defer { c.close() }
        let reply = try await BadInputWire.exchange(c, #"{"jsonrpc":"2.0","id":7,"method":"node.no_such_method","params":{}}"#)
        let error = BadInputWire.expectError(reply, code: -32601, id: 7, mentioning: ["node.no_such_method"], after: "unknown method")
        #expect(error?["data"]?["method"] == "node.no_such_method", "unknown method: \(BadInputWire.show(reply))")
        try await BadInputWire.expectStillServing(d, after: "unknown method")

        // As a notification it is not answered, not even with the error.
        try await Offload.run { try c.send(line: #"{"jsonrpc":"2.0","method":"node.no_such_method"}"#) }
        try await BadInputWire.expectNextReplyIsProbe(c, after: "notification to an unknown method")
        try await BadInputWire.expectSilence(c, after: "notification to an unknown method")
        try await BadInputWire.expectStillServing(d, after: "notification to an unknown method")
        try await d.stop()
    }

    // MARK: 4. Bad params

    @Test func badParamsNameTheField() async throws {
        let d = try await DaemonProcess.start()
        let c = try d.connect()
        defer { c.close() }
        let validKey = String(repeating: "ab", count: 32)
        let agent = try await Offload.run { try c.result("agent.create", ["label": "bad-input"]) }
        let agentAddress = try #require(agent["address"]?.stringValue, "agent.create: \(BadInputWire.show(agent))")

        let cases: [(what: String, line: String, field: String)] = [
            ("missing required", BadInputWire.request("node.peer_health", [:]), "node_id"),
            ("wrong type", BadInputWire.request("node.set_passive_routing", ["passive": "yes"]), "passive"),
            ("out of range", BadInputWire.request("node.ping", ["addr": "127.0.0.1:1", "timeout_ms": 0]), "timeout_ms"),
            ("unknown parameter", BadInputWire.request("node.info", ["verbose": true]), "verbose"),
            ("bad hex", BadInputWire.request("store.get", ["key": "zz"]), "key"),
            ("wrong hex length", BadInputWire.request("store.get", ["key": "abcd"]), "key"),
            ("bad base64", BadInputWire.request("store.put", ["key": .string(validKey), "record": "!!"]), "record"),
            ("bad agent address", BadInputWire.request("query.resolve", ["address": "nope"]), "address"),
            ("bad ip:port", BadInputWire.request("node.ping", ["addr": "localhost"]), "addr"),
            ("positional params", #"{"jsonrpc":"2.0","id":1,"method":"node.info","params":[1]}"#, "params"),
            ("nested path", BadInputWire.request("publish.endpoint", ["agent": .string(agentAddress), "endpoints": [1]]),
             "endpoints[0]"),
        ]
        for (what, line, field) in cases {
            let reply = try await BadInputWire.exchange(c, line)
            let error = BadInputWire.expectError(reply, code: -32602, id: 1, mentioning: [field], after: what)
            #expect(error?["data"]?["field"] == .string(field), "\(what): data.field: \(BadInputWire.show(reply))")
            #expect(error?["data"]?["reason"]?.stringValue?.isEmpty == false, "\(what): data.reason: \(BadInputWire.show(reply))")
            try await BadInputWire.expectStillServing(d, after: what)
        }
        // The failed publish left nothing behind.
        #expect(try await Offload.run { try c.result("publish.list") }["publications"] == [])
        try await d.stop()
    }

    // MARK: 5. A line past the limit

    @Test func tenMebibyteLineIsRefusedAndTheConnectionClosed() async throws {
        let d = try await DaemonProcess.start()
        let c = try d.connect()
        defer { c.close() }
        let sent = try await Offload.run { try BadInputWire.sendHugeLine(c, totalBytes: 10 << 20) }
        // The daemon stops reading once the line is over its limit, so it may close before all
        // of it went out; that is fine, the reply is already queued on our side.
        #expect(sent > 1 << 20, "only \(sent) bytes of the long line went out before the daemon closed")
        let reply = try await Offload.run { try c.readJSON(timeout: .seconds(30)) }
        BadInputWire.expectError(reply, code: -32600, id: .null, mentioning: ["line longer than"], after: "10 MiB line")
        // ...and then the connection ends: no further line, end of stream.
        let next = try await Offload.run { try c.readLine(timeout: .seconds(30)) }
        #expect(next == nil, "after the too-long reply the connection should close, got: \(next ?? "")")
        try await BadInputWire.expectStillServing(d, after: "10 MiB line")
        try await d.stop()
    }

    // MARK: 6. Connection storm

    @Test func connectionsPastTheCapGetOverloadedAndAreClosed() async throws {
        let total = 1000
        // Each test-side connection is a descriptor; the daemon inherits the raised limit too.
        try BadInputWire.raiseOpenFileLimit(toAtLeast: total + 512)
        // a2ald has no --max-connections flag; its default cap is 256 (docs/jsonrpc.md).
        let cap = 256
        let d = try await DaemonProcess.start()
        try await BadInputWire.waitUntilOnlyOneConnection(d)

        let clients = try await Offload.run { try (0..<total).map { _ in try d.connect() } }
        defer { for c in clients { c.close() } }
        var outcomes: [BadInputWire.StormOutcome] = []
        for c in clients { outcomes.append(try await Offload.run { BadInputWire.classify(c) }) }

        let served = outcomes.filter { $0 == .served }.count
        let refused = outcomes.filter { $0 == .refusedAndClosed }.count
        let others = outcomes.compactMap { if case .unexpected(let why) = $0 { return why } else { return nil } }
        #expect(served == cap, "connections served: \(served), refused: \(refused)")
        #expect(refused == total - cap, "connections refused with -32007 and closed: \(refused), served: \(served)")
        #expect(others.isEmpty, "\(others.count) connections did something else, e.g. \(others.prefix(3))")
        // While the served ones are open, the daemon counts exactly them.
        if let first = zip(clients, outcomes).first(where: { $0.1 == .served })?.0 {
            let stats = try await Offload.run { try first.result("node.stats") }
            #expect(stats["rpc"]?["connections"]?.intValue == Int64(served), "node.stats rpc: \(BadInputWire.show(stats["rpc"]))")
        }
        #expect(d.isRunning, "daemon died in the connection storm: \(d.exitDescription)")

        for c in clients { c.close() }
        // Closing is asynchronous in the daemon; a new connection must be served once it caught up.
        let info = try await BadInputWire.nodeInfoOnFreshConnection(d, retryingOverloadedFor: .seconds(20))
        #expect(info["node_id"] != nil, "after the storm: \(BadInputWire.show(info))")
        try await d.stop()
    }

    // MARK: 7. A subscriber that never reads

    @Test func slowSubscriberIsDroppedWithOneNoticeAndKeepsItsConnection() async throws {
        let d = try await DaemonProcess.start()
        let subscriber = try d.connect()
        defer { subscriber.close() }
        let putter = try d.connect()
        defer { putter.close() }
        let subscription = try await Offload.run { try subscriber.result("subscribe", ["event": "record_stored"]) }
            .str("subscription")
        #expect(subscription.count == 16)

        // The subscriber reads nothing now. Puts go in windows of pipelined single requests
        // (not batches: batch entries run concurrently, and serial puts make the order of
        // events on the subscriber's connection exact). Stop once the daemon ended the
        // subscription, which node.stats shows as no subscriptions left.
        var records = BadInputRecords()
        var put = 0
        while put < BadInputRecords.maxToOverflow {
            put += try await records.putWindow(on: putter, count: BadInputRecords.window)
            let stats = try await Offload.run { try putter.result("node.stats") }
            if stats["rpc"]?["subscriptions"]?.intValue == 0 { break }
        }
        try #require(put < BadInputRecords.maxToOverflow, "the subscription was still alive after \(put) record_stored events")
        try await BadInputWire.expectStillServing(d, after: "\(put) puts with a subscriber not reading")

        // Now the subscriber reads its backlog: events of its subscription, then exactly one
        // slow_subscriber notice.
        let drained = try await Offload.run { try BadInputWire.drainUntilSlowNotice(subscriber, subscription: subscription) }
        #expect(drained.events > 0, "no record_stored event arrived before the notice")
        #expect(drained.events < put, "\(drained.events) events for \(put) puts: the backlog was not bounded")
        #expect(drained.unexpected.isEmpty, "unexpected lines before the notice: \(drained.unexpected.prefix(3))")
        let notice = try #require(drained.notice, "no slow_subscriber notice after \(drained.events) events")
        #expect(notice["error"]?["code"] == -32011, "notice: \(BadInputWire.show(notice))")
        #expect(notice["error"]?["data"]?["kind"] == "slow_subscriber", "notice: \(BadInputWire.show(notice))")

        // The subscription is over: more puts bring it nothing, and its connection still
        // serves calls (the reply to this call is the very next line).
        _ = try await records.putWindow(on: putter, count: BadInputRecords.window)
        try await BadInputWire.expectNextReplyIsProbe(subscriber, after: "the slow_subscriber notice")
        try await BadInputWire.expectSilence(subscriber, after: "the slow_subscriber notice")
        let stats = try await Offload.run { try subscriber.result("node.stats") }
        #expect(stats["rpc"]?["subscriptions"] == 0)
        try await BadInputWire.expectStillServing(d, after: "the slow subscriber")
        try await d.stop()
    }
}

// MARK: - Wire helpers

/// Raw lines to and from the daemon, and the checks every test repeats.
private enum BadInputWire {
    /// A request line with id 1 (the cases only need one call at a time).
    static func request(_ method: String, _ params: JSONObject) -> String {
        JSONWriter.write(.object(["jsonrpc": "2.0", "id": 1, "method": .string(method), "params": .object(params)])).text
    }

    /// A batch of `count` valid node.info calls.
    static func batch(of count: Int) -> String {
        "[" + (0..<count).map { #"{"jsonrpc":"2.0","id":\#($0),"method":"node.info"}"# }.joined(separator: ",") + "]"
    }

    static func show(_ value: JSONValue?) -> String { value.map { JSONWriter.write($0).text } ?? "(nothing)" }

    /// Sends one line and reads the next one back as JSON (nil: the daemon closed).
    static func exchange(_ c: RPCLineClient, _ line: String) async throws -> JSONValue? {
        try await Offload.run {
            try c.send(line: line)
            return try c.readJSON(timeout: .seconds(20))
        }
    }

    /// Checks an error reply's code, id and message words; returns its error object.
    @discardableResult
    static func expectError(_ reply: JSONValue?, code: Int64, id: JSONValue, mentioning words: [String], after what: String,
                            sourceLocation: SourceLocation = #_sourceLocation) -> JSONValue? {
        guard let reply, let error = reply["error"] else {
            Issue.record("\(what): expected error \(code), got \(show(reply))", sourceLocation: sourceLocation)
            return nil
        }
        #expect(error["code"]?.intValue == code, "\(what): \(show(reply))", sourceLocation: sourceLocation)
        #expect(reply["id"] == id, "\(what): id should be \(show(id)): \(show(reply))", sourceLocation: sourceLocation)
        #expect(reply["jsonrpc"] == "2.0" && reply["result"] == nil, "\(what): \(show(reply))", sourceLocation: sourceLocation)
        let message = error["message"]?.stringValue ?? ""
        for word in words {
            #expect(message.contains(word), "\(what): message should mention \(word): \(message)", sourceLocation: sourceLocation)
        }
        return error
    }

    /// The daemon is alive and a brand-new connection gets `node.info` answered.
    static func expectStillServing(_ d: DaemonProcess, after what: String,
                                   sourceLocation: SourceLocation = #_sourceLocation) async throws {
        #expect(d.isRunning, "a2ald \(d.exitDescription) after \(what); stderr:\n\(d.stderr.suffix(2000))",
                sourceLocation: sourceLocation)
        let info = try await Offload.run { () -> JSONValue in
            let fresh = try d.connect()
            defer { fresh.close() }
            return try fresh.result("node.info")
        }
        #expect(info["node_id"]?.stringValue?.count == 64, "node.info after \(what): \(show(info))", sourceLocation: sourceLocation)
    }

    /// Sends a call with a distinctive id and requires the very next line to be its reply:
    /// nothing (a reply to a notification, an event) may come before it.
    static func expectNextReplyIsProbe(_ c: RPCLineClient, after what: String,
                                       sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let reply = try await exchange(c, #"{"jsonrpc":"2.0","id":"probe","method":"node.info"}"#)
        #expect(reply?["id"] == "probe" && reply?["result"] != nil,
                "after \(what) the next line should be the probe's reply, got \(show(reply))", sourceLocation: sourceLocation)
    }

    /// Nothing more arrives for a moment. Only catches a stray reply that comes quickly, but
    /// cannot fail when the daemon is right.
    static func expectSilence(_ c: RPCLineClient, after what: String,
                              sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let stray: String? = try await Offload.run {
            do {
                return try c.readLine(timeout: .milliseconds(300)) ?? "(connection closed)"
            } catch let e as RPCClientError where e.kind == .timeout {
                return nil
            }
        }
        #expect(stray == nil, "after \(what) nothing more should arrive, got \(stray ?? "")", sourceLocation: sourceLocation)
    }

    /// Sends a JSON request padded to `totalBytes` with its newline at the very end, in chunks.
    /// Returns how many bytes went out before the daemon closed the connection.
    static func sendHugeLine(_ c: RPCLineClient, totalBytes: Int) throws -> Int {
        let head = Array(#"{"jsonrpc":"2.0","id":1,"method":"node.info","params":{"pad":""#.utf8)
        let tail = Array("\"}}\n".utf8)
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 64 << 10)
        var sent = 0
        func push(_ bytes: [UInt8]) throws -> Bool {
            do {
                try c.send(bytes: bytes)
                sent += bytes.count
                return true
            } catch let e as RPCClientError where e.kind == .closed {
                return false  // EPIPE / ECONNRESET: the daemon already gave up on the line
            }
        }
        guard try push(head) else { return sent }
        var padding = totalBytes - head.count - tail.count
        while padding > 0 {
            guard try push(padding >= chunk.count ? chunk : Array(chunk.prefix(padding))) else { return sent }
            padding -= chunk.count
        }
        _ = try push(tail)
        return sent
    }

    // MARK: Connection storm

    enum StormOutcome: Equatable {
        case served
        case refusedAndClosed
        case unexpected(String)
    }

    /// Whether a connection of the storm was served (`node.info` answered) or refused (one
    /// `overloaded` line with id null, then end of stream).
    static func classify(_ c: RPCLineClient) -> StormOutcome {
        let first: JSONValue?
        do {
            first = try c.call("node.info", timeout: .seconds(20))
        } catch let e as RPCClientError where e.kind == .closed {
            // The daemon closed a refused connection before our request went out; its one
            // line is still waiting to be read.
            do { first = try c.readJSON(timeout: .seconds(20)) } catch { return .unexpected("\(error)") }
        } catch {
            return .unexpected("\(error)")
        }
        guard let first else { return .unexpected("closed without a line") }
        if first["result"]?["node_id"] != nil { return .served }
        guard first["error"]?["code"] == -32007, first["error"]?["data"]?["kind"] == "overloaded", first["id"] == .null else {
            return .unexpected(show(first))
        }
        do {
            guard let after = try c.readLine(timeout: .seconds(20)) else { return .refusedAndClosed }
            return .unexpected("refused connection sent another line: \(after)")
        } catch {
            return .unexpected("refused connection not closed: \(error)")
        }
    }

    /// The daemon's start-up probe connection is gone: a connection of ours is the only one.
    /// It then closes by half-closing and waiting for the daemon's end of stream, so it too has
    /// left the daemon's connection table before the storm starts.
    static func waitUntilOnlyOneConnection(_ d: DaemonProcess) async throws {
        try await Offload.run {
            let deadline = ContinuousClock.now + .seconds(20)
            while true {
                let c = try d.connect()
                let count = try c.result("node.stats")["rpc"]?["connections"]?.intValue
                c.shutdownWrite()
                _ = try? c.readLine(timeout: .seconds(10))
                c.close()
                if count == 1 { return }
                guard ContinuousClock.now < deadline else {
                    throw ContractFailure(description: "the daemon still counts \(count ?? -1) connections")
                }
                usleep(50_000)
            }
        }
    }

    /// `node.info` on a new connection, retrying while the daemon still refuses for capacity.
    static func nodeInfoOnFreshConnection(_ d: DaemonProcess, retryingOverloadedFor patience: Duration) async throws -> JSONValue {
        try await Offload.run {
            let deadline = ContinuousClock.now + patience
            while true {
                let c = try d.connect()
                defer { c.close() }
                let response: JSONValue?
                do {
                    response = try c.call("node.info")
                } catch let e as RPCClientError where e.kind == .closed {
                    response = try c.readJSON()
                }
                if let result = response?["result"] { return result }
                guard response?["error"]?["code"] == -32007, ContinuousClock.now < deadline else {
                    throw ContractFailure(description: "node.info on a new connection: \(show(response))")
                }
                usleep(100_000)
            }
        }
    }

    /// Raises the soft limit on open files (up to the hard limit) when it is below `wanted`.
    static func raiseOpenFileLimit(toAtLeast wanted: Int) throws {
        var limit = rlimit()
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limit) == 0 else {
            throw ContractFailure(description: "getrlimit(RLIMIT_NOFILE): \(String(cString: strerror(errno)))")
        }
        guard limit.rlim_cur < rlim_t(wanted) else { return }
        limit.rlim_cur = min(limit.rlim_max, rlim_t(wanted))
        guard setrlimit(resource, &limit) == 0, limit.rlim_cur >= rlim_t(wanted) else {
            throw ContractFailure(description: "cannot raise RLIMIT_NOFILE to \(wanted) (hard limit \(limit.rlim_max))")
        }
    }

    // MARK: Slow subscriber

    struct Drained {
        var events = 0
        var notice: JSONValue?
        var unexpected: [String] = []
    }

    /// Reads the subscriber's backlog up to and including its slow_subscriber notice.
    static func drainUntilSlowNotice(_ c: RPCLineClient, subscription: String) throws -> Drained {
        var out = Drained()
        while let line = try c.readJSON(timeout: .seconds(20)) {
            let params = line["params"]
            guard line["method"] == "subscription", line["id"] == nil, params?["subscription"] == .string(subscription) else {
                out.unexpected.append(show(line))
                continue
            }
            if params?["error"] != nil {
                out.notice = params
                return out
            }
            if params?["result"]?["type"] == "endpoint" && params?["result"]?["key"]?.stringValue?.count == 64 {
                out.events += 1
            } else {
                out.unexpected.append(show(line))
            }
        }
        return out
    }
}

/// Valid, distinct endpoint records signed here (one fresh key each, so each lands under its
/// own key) and put into the daemon's store.
private struct BadInputRecords {
    /// Requests in flight at once: under the daemon's 128 calls per connection.
    static let window = 50
    /// Far more than the socket buffer plus the daemon's 1024-line backlog can hold.
    static let maxToOverflow = 8000

    private var next = 0

    /// Puts `count` new records with pipelined requests and requires every one to be stored.
    /// Returns how many were put.
    mutating func putWindow(on c: RPCLineClient, count: Int) async throws -> Int {
        let first = next
        next += count
        let lines = try (first..<first + count).map(Self.putLine)
        try await Offload.run {
            try c.send(bytes: lines.flatMap { $0 + [0x0A] })
            for index in first..<first + count {
                // Liveness only: a put must not wait on the subscriber that does not read.
                guard let reply = try c.readJSON(timeout: .seconds(10)) else {
                    throw ContractFailure(description: "connection closed before the reply to put \(index)")
                }
                guard reply["id"]?.intValue == Int64(index), reply["result"]?["stored"] == true else {
                    throw ContractFailure(description: "put \(index): \(BadInputWire.show(reply))")
                }
            }
        }
        return count
    }

    private static func putLine(_ index: Int) throws -> [UInt8] {
        let keys = Ed25519.KeyPair.generate()
        let now = UInt64(time(nil))
        let (ts, ttl) = SignedRecord.backdated(now: now, ttl: 600)
        let record = try SignedRecord.sign(recType: RecordType.endpoint,
                                           payload: EndpointPayload(endpoints: ["quic://192.0.2.\(index % 250 + 1):\(4000 + index)"]).encoded,
                                           seq: now, timestamp: ts, ttl: ttl, signer: keys)
        let request: JSONObject = [
            "jsonrpc": "2.0", "id": .int(Int64(index)), "method": "store.put",
            "params": ["key": .string(record.address.nodeID.description), "record": .string(Base64Text.encode(record.encoded))],
        ]
        return JSONWriter.write(.object(request))
    }
}
