// Fuzz target: what a local client can send the daemon's JSON-RPC layer (LineFramer,
// JSONParser / JSONWriter, RPCRequest validation, RPCSession, RPCParams, EventHub, the hex
// and base64 codecs).
//
// The input is the byte stream of one connection. It is cut into lines as the daemon's
// connection handler does (whole, then again in uneven chunks: both must give the lines a
// reference splitter gives), and each line goes to one RPCSession over a small method table;
// the fuzzer waits for the session to go idle after each line, as if the client waited for
// its reply. Then:
// - every line gets at most one response line, and exactly one when JSON-RPC 2.0 says so
//   (unparsable: -32700; invalid request or call with an id: one reply with that id; a batch:
//   one array with an entry per invalid entry or call with an id, in order; notifications
//   only: nothing);
// - every line the session sends parses as JSON, holds no raw newline, and is a response
//   object ("jsonrpc":"2.0", "id", exactly one of "result" and "error" with an integer code and
//   a string message), an array of them, or a subscription notification;
// - a value the parser accepts is written back to JSON (compact and pretty) that parses to
//   the same value;
// - base64 text that decodes re-encodes to itself (the codec is strict), hex to its lowercase;
// - a line over the limit gets one -32600 reply and closes the connection; end of input
//   closes it once nothing is owed, unless it holds subscriptions; closing the connection
//   ends them all.
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import A2ALCore
@testable import A2ALRPC
import FuzzDriver
import FuzzSupport

@_cdecl("fuzz_rpc_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    a2al_fuzz_main(argc, argv)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    checkConnection(fuzzInput(start, count))
    return 0
}

/// Small enough that fuzzed inputs reach it (the daemon's default is far larger).
let maxLineBytes = 1024

struct HandlerFailure: Error {}

let hub = EventHub(eventNames: ["e1", "e2"])

/// The method table: enough to reach every reply shape and every parameter accessor.
let service: RPCService = {
    var router = RPCRouter()
    router.register("echo", summary: "Returns its params.") { call in call.params.object }
    router.register("fail.rpc", summary: "Fails with not_found.") { _ in
        throw RPCError.app(.notFound, "no such thing", ["thing": "x"])
    }
    router.register("fail.other", summary: "Fails with a non-RPC error.") { _ in throw HandlerFailure() }
    router.register("yield", summary: "Suspends once.") { call in
        await Task.yield()
        return ["yielded": true, "params": .object(call.params.object)]
    }
    router.register("blocking", summary: "A handler marked blocking.", blocks: true) { call in
        ["count": .int(Int64(call.params.object.count))]
    }
    router.register("emit", summary: "Publishes an event.") { call in
        let event = try call.params.choice("event", ["e1", "e2"], default: "e1")
        let data = try call.params.nested("data")?.object ?? [:]
        try call.params.finish()
        hub.publish(event, data)
        return ["published": .string(event)]
    }
    router.register("params", summary: "Reads typed params.") { call in
        let p = call.params
        var out: JSONObject = [:]
        out["s"] = .optional(try p.optionalString("s"))
        out["b"] = .bool(try p.bool("b", default: false))
        out["i"] = try p.optionalInt("i", in: -1_000...1_000).map { .int($0) } ?? .null
        out["timeout"] = .string("\(try p.timeout(defaultMs: 5))")
        out["c"] = .string(try p.choice("c", ["x", "y"], default: "x"))
        // The hex parameter readers live in the daemon (package access); the codec they use is
        // A2ALCore's, whose round trip is checked here.
        if let text = try p.optionalString("h"), let h = Hex.decode(text) {
            invariant(Hex.decode(Hex.encode(h)) == h, "hex round trip")
            out["h"] = .string(Hex.encode(h))
        }
        if let b = try p.optionalBase64("b64", maxBytes: 64) {
            invariant(Base64Text.decode(Base64Text.encode(b)) == b, "base64 round trip")
            out["b64"] = .string(Base64Text.encode(b))
        }
        out["l"] = (try p.stringArray("l", maxCount: 4, maxLength: 16)).map { .strings($0) } ?? .null
        if let n = try p.nested("n") {
            out["n"] = .optional(try n.optionalString("s"))
            try n.finish()
        }
        if let list = try p.objectArray("o", maxCount: 4) {
            for item in list {
                _ = try item.int("k", in: 0...9)
                try item.finish()
            }
            out["o"] = .int(Int64(list.count))
        }
        try p.finish()
        return out
    }
    return RPCService(router: router, hub: hub,
                      limits: RPCLimits(maxBatch: 20, maxInFlightPerConnection: 8, maxSubscriberBacklog: 4,
                                        maxSubscriptionsPerConnection: 3))
}()

/// Records what the session sends. Its backlog is the number of subscription notices sent,
/// so a connection that keeps emitting events becomes a slow subscriber.
final class Sink: LineSink {
    private struct State {
        var lines: [[UInt8]] = []
        var notices = 0
        var closed = false
    }
    private let state = Mutex(State())

    func send(_ line: [UInt8]) {
        state.withLock { s in
            guard !s.closed else { return }
            s.lines.append(line)
            if isSubscriptionNotice(line) { s.notices += 1 }
        }
    }
    var backlog: Int { state.withLock { $0.notices } }
    func close() { state.withLock { $0.closed = true } }
    var lines: [[UInt8]] { state.withLock { $0.lines } }
    var closed: Bool { state.withLock { $0.closed } }
}

// MARK: Line framing

/// What the framer must produce: lines split at '\n', one trailing '\r' removed, a line
/// (or the unterminated rest) over the limit ends everything, except that one extra byte is
/// allowed when it is the '\r' before '\n'.
func referenceLines(_ input: [UInt8]) -> (lines: [[UInt8]], tooLong: Bool, rest: [UInt8]?) {
    func over(_ line: ArraySlice<UInt8>) -> Bool {
        line.count > maxLineBytes && (line.count > maxLineBytes + 1 || line.last != 0x0D)
    }
    var lines: [[UInt8]] = []
    var start = 0
    while let nl = input[start...].firstIndex(of: 0x0A) {
        var line = input[start..<nl]
        if over(line) { return (lines, true, nil) }
        if line.last == 0x0D { line = line.dropLast() }
        lines.append(Array(line))
        start = nl + 1
    }
    var rest = input[start...]
    if over(rest) { return (lines, true, nil) }
    if rest.last == 0x0D { rest = rest.dropLast() }
    return (lines, false, rest.isEmpty ? nil : Array(rest))
}

func frame(_ input: [UInt8], chunked: Bool) -> (lines: [[UInt8]], tooLong: Bool, rest: [UInt8]?) {
    var framer = LineFramer(maxLineBytes: maxLineBytes)
    var lines: [[UInt8]] = []
    var tooLong = false
    input.withUnsafeBytes { all in
        var offset = 0
        var step = 0
        while offset < all.count {
            // Uneven chunk sizes derived from the input, so a reproducer replays exactly.
            let size = chunked ? 1 + (Int(all[offset]) &+ step * 7) % 97 : all.count
            let end = min(all.count, offset + size)
            let outcome = framer.feed(UnsafeRawBufferPointer(rebasing: all[offset..<end])) { lines.append($0); return true }
            if case .stopped = outcome { invariant(false, "framer stopped although every delivery returned true") }
            if outcome == .tooLong { tooLong = true; return }
            invariant(framer.bufferedBytes <= maxLineBytes + 1, "framer holds \(framer.bufferedBytes) bytes")
            offset = end
            step += 1
        }
    }
    return (lines, tooLong, tooLong ? nil : framer.takeUnterminated())
}

// MARK: Replies

func isSubscriptionNotice(_ line: [UInt8]) -> Bool {
    line.starts(with: Array(#"{"jsonrpc":"2.0","method":"subscription","#.utf8))
}

/// Checks one response object and returns its id.
func responseID(_ value: JSONValue, _ context: @autoclosure () -> String) -> JSONValue {
    guard case .object(let o) = value else {
        invariant(false, "a response is not an object: \(value.compactText); \(context())")
        return .null
    }
    invariant(o["jsonrpc"] == .string("2.0"), "response without jsonrpc 2.0: \(value.compactText)")
    guard let id = o["id"] else {
        invariant(false, "response without id: \(value.compactText); \(context())")
        return .null
    }
    let hasResult = o["result"] != nil, error = o["error"]
    invariant(hasResult != (error != nil), "response needs exactly one of result and error: \(value.compactText)")
    if let error {
        invariant(error["code"]?.intValue != nil && error["message"]?.stringValue != nil,
                  "error without an integer code and a message: \(value.compactText)")
    }
    return id
}

/// The ids of the replies a request value is owed (nil entries are notifications).
func owedReplies(_ value: JSONValue) -> [JSONValue?] {
    switch RPCRequest(value) {
    case .invalid(_, let id): return [id]
    case .call(_, _, let id): return [id]
    }
}

func checkLine(_ line: [UInt8], session: RPCSession, sink: Sink) {
    checkJSON(line)
    checkCodecs(line)
    let before = sink.lines.count
    session.receive(line: line)
    waitUntilIdle(session, line)
    let sent = Array(sink.lines[before...])
    for l in sent {
        invariant(!l.contains(0x0A), "a reply line holds a raw newline: \(String(decoding: l, as: UTF8.self))")
        invariant((try? JSONParser.parse(l)) != nil, "the session sent a line that is not JSON: \(String(decoding: l, as: UTF8.self))")
    }
    let replies = sent.filter { !isSubscriptionNotice($0) }.compactMap { try? JSONParser.parse($0) }
    invariant(replies.count <= 1, "one request line got \(replies.count) replies: \(String(decoding: line, as: UTF8.self))")
    let text = String(decoding: line, as: UTF8.self)

    guard let request = try? JSONParser.parse(line) else {
        invariant(replies.count == 1 && replies[0]["error"]?["code"]?.intValue == -32700 && replies[0]["id"] == .null,
                  "unparsable line not answered with -32700: \(text) -> \(replies.map(\.compactText))")
        return
    }
    switch request {
    case .array(let entries) where entries.isEmpty || entries.count > service.limits.effectiveMaxBatch:
        invariant(replies.count == 1 && replies[0]["error"]?["code"]?.intValue == -32600 && replies[0]["id"] == .null,
                  "empty or oversized batch not answered with -32600: \(text)")
    case .array(let entries):
        let owed = entries.flatMap(owedReplies).compactMap { $0 }
        if owed.isEmpty {
            invariant(replies.isEmpty, "a batch of notifications was answered: \(text)")
        } else {
            guard replies.count == 1, case .array(let items) = replies[0] else {
                invariant(false, "a batch was not answered with one array: \(text) -> \(replies.map(\.compactText))")
                return
            }
            let ids = items.map { responseID($0, text) }
            invariant(ids == owed, "batch reply ids \(ids) differ from the ids owed \(owed): \(text)")
        }
    default:
        let owed = owedReplies(request).compactMap { $0 }
        invariant(replies.count == owed.count, "request owed \(owed.count) replies, got \(replies.count): \(text)")
        if let reply = replies.first {
            invariant(responseID(reply, text) == owed[0], "reply id differs from the request's: \(text) -> \(reply.compactText)")
        }
    }
}

func waitUntilIdle(_ session: RPCSession, _ line: [UInt8]) {
    // Most calls finish on this thread before `receive` returns; the rest (batches, handlers
    // that suspend or block) take a hop or two through the cooperative pool.
    let deadline = ContinuousClock.now + .seconds(20)
    while !session.isIdle {
        invariant(ContinuousClock.now < deadline, "session still busy 20 s after: \(String(decoding: line, as: UTF8.self))")
        usleep(20)
    }
}

// MARK: JSON and codecs

func checkJSON(_ line: [UInt8]) {
    guard let value = try? JSONParser.parse(line) else { return }
    invariant((try? JSONParser.parse(line[...])) == value, "slice and array parsing disagree")
    let compact = JSONWriter.write(value)
    invariant(!compact.contains(0x0A), "compact JSON holds a raw newline")
    let again = try? JSONParser.parse(compact)
    invariant(again == value, "\(String(decoding: line, as: UTF8.self)) writes as \(String(decoding: compact, as: UTF8.self)), which parses differently")
    invariant(JSONWriter.write(again ?? .null) == compact, "compact JSON is not a fixed point")
    let pretty = JSONWriter.pretty(value)
    invariant((try? JSONParser.parse(pretty)) == value, "pretty JSON parses differently: \(pretty)")
}

func checkCodecs(_ line: [UInt8]) {
    let text = String(decoding: line, as: UTF8.self)
    if let bytes = Base64Text.decode(text) {
        invariant(Base64Text.encode(bytes) == text, "base64 text \(text) is not the only encoding of its bytes")
    }
    if let bytes = Hex.decode(text) {
        invariant(Hex.encode(bytes) == text.lowercased(), "hex text \(text) re-encodes differently")
    }
}

// MARK: The connection

func checkConnection(_ input: [UInt8]) {
    let reference = referenceLines(input)
    let whole = frame(input, chunked: false)
    let chunked = frame(input, chunked: true)
    for got in [whole, chunked] {
        invariant(got.lines == reference.lines && got.tooLong == reference.tooLong && got.rest == reference.rest,
                  "the framer cuts \(input.hexText) differently from the reference")
    }

    let sink = Sink()
    let session = service.makeSession(sink: sink, peer: PeerCredentials(pid: 1, uid: 2, gid: 3))
    for line in reference.lines { checkLine(line, session: session, sink: sink) }
    if reference.tooLong {
        let before = sink.lines.count
        session.lineTooLong(limit: maxLineBytes)
        let sent = sink.lines[before...]
        invariant(sent.count == 1 && (try? JSONParser.parse(sent.first!))?["error"]?["code"]?.intValue == -32600,
                  "a line over the limit is not answered with one -32600")
        invariant(sink.closed, "a line over the limit does not close the connection")
    } else {
        if let rest = reference.rest { checkLine(rest, session: session, sink: sink) }
        session.inputEnded()
        waitUntilIdle(session, [])
        let subscribed = service.hub.subscriptionCount(of: session.connection.id) > 0
        invariant(sink.closed != subscribed, "end of input: closed \(sink.closed) with subscriptions \(subscribed)")
    }
    session.connectionClosed()
    invariant(service.hub.subscriptionCount == 0, "subscriptions outlive their connection")
}
