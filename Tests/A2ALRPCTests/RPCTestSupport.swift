import Synchronization
import Testing
@testable import A2ALRPC

/// A LineSink that records what the session sends, with a backlog the test sets.
final class RecordingSink: LineSink {
    private struct State {
        var lines: [[UInt8]] = []
        var backlog = 0
        var closed = false
    }
    private let state = Mutex(State())

    func send(_ line: [UInt8]) {
        state.withLock { s in
            if !s.closed { s.lines.append(line) }
        }
    }

    var backlog: Int {
        get { state.withLock { $0.backlog } }
        set { state.withLock { $0.backlog = newValue } }
    }

    func close() { state.withLock { $0.closed = true } }

    var isClosed: Bool { state.withLock { $0.closed } }
    var rawLines: [[UInt8]] { state.withLock { $0.lines } }
    var texts: [String] { rawLines.map { String(decoding: $0, as: UTF8.self) } }

    /// Every line sent so far, parsed (a line that is not JSON fails the test).
    var values: [JSONValue] {
        rawLines.compactMap { line in
            do { return try JSONParser.parse(line) } catch {
                Issue.record("sink got a line that is not JSON: \(String(decoding: line, as: UTF8.self)) (\(error))")
                return nil
            }
        }
    }

    /// Waits (generously, for liveness only) until at least `count` lines have arrived.
    func waitForLines(_ count: Int, sourceLocation: SourceLocation = #_sourceLocation) async -> [JSONValue] {
        for _ in 0..<4000 {
            if state.withLock({ $0.lines.count }) >= count { return values }
            try? await Task.sleep(for: .milliseconds(1))
        }
        Issue.record("timed out waiting for \(count) lines; have \(texts)", sourceLocation: sourceLocation)
        return values
    }
}

/// A latch handlers wait on until the test opens it.
final class Gate: Sendable {
    private struct State {
        var open = false
        var waiters: [CheckedContinuation<Void, Never>] = []
        var arrived = 0
    }
    private let state = Mutex(State())

    func wait() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let proceed = state.withLock { s -> Bool in
                s.arrived += 1
                if s.open { return true }
                s.waiters.append(c)
                return false
            }
            if proceed { c.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { s in
            s.open = true
            defer { s.waiters = [] }
            return s.waiters
        }
        for w in waiters { w.resume() }
    }

    /// Handlers that reached `wait()`.
    var arrived: Int { state.withLock { $0.arrived } }
}

/// Counts calls of a handler (for notifications, which leave no other trace).
final class Counter: Sendable {
    private let value = Mutex(0)
    func increment() { value.withLock { $0 += 1 } }
    var count: Int { value.withLock { $0 } }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String { "the disk is on fire" }
}

/// A service with a few test methods:
/// - `echo`: returns its params;
/// - `count`: increments `counter`, returns {};
/// - `fail.rpc`: throws a not_found error; `fail.other`: throws a non-RPC error;
/// - `block`: waits on `gate`, returns {"released": true};
/// - `sleep`: sleeps until cancelled.
struct TestService {
    let service: RPCService
    let hub: EventHub
    let gate = Gate()
    let counter = Counter()

    init(limits: RPCLimits = RPCLimits(), events: [String] = ["observed_addr", "peer_health"]) {
        var router = RPCRouter()
        let gate = gate
        let counter = counter
        router.register("echo", summary: "Returns its params.") { call in call.params.object }
        router.register("count", summary: "Counts calls.") { _ in
            counter.increment()
            return [:]
        }
        router.register("fail.rpc", summary: "Fails with not_found.") { _ in
            throw RPCError.app(.notFound, "no such thing", ["thing": "x"])
        }
        router.register("fail.other", summary: "Fails with a non-RPC error.") { _ in throw TestFailure() }
        router.register("block", summary: "Waits for the gate.") { _ in
            await gate.wait()
            return ["released": true]
        }
        router.register("sleep", summary: "Sleeps until cancelled.") { _ in
            try await Task.sleep(for: .seconds(60))
            return [:]
        }
        // "pair" takes its params by name or by position (docs/jsonrpc.md); "echo" declares none,
        // so it takes named params only and checks nothing itself.
        router.register("pair", summary: "Returns a and b.") { call in
            let a = try call.params.string("addr")
            let b = try call.params.int("timeout_ms", in: 1...1000, default: 5)
            try call.params.finish()
            return ["addr": .string(a), "timeout_ms": .int(b)]
        }
        router.declareParams(["addr", "timeout_ms"], for: "pair")
        // Handlers that never suspend: run in place, with no task (RPCMethod.immediate).
        router.registerImmediate("now", summary: "Returns its params at once.") { call in call.params.object }
        router.registerImmediate("now.fail", summary: "Fails with not_found at once.") { _ in
            throw RPCError.app(.notFound, "no such thing", ["thing": "y"])
        }
        router.registerImmediate("now.other", summary: "Fails with a non-RPC error at once.") { _ in throw TestFailure() }
        hub = EventHub(eventNames: events)
        service = RPCService(router: router, hub: hub, limits: limits)
    }

    func session(_ sink: RecordingSink = RecordingSink()) -> (RPCSession, RecordingSink) {
        (service.makeSession(sink: sink, peer: PeerCredentials(pid: 1, uid: 2, gid: 3)), sink)
    }
}

extension RPCSession {
    func receive(_ text: String) { receive(line: Array(text.utf8)) }

    /// Waits (for liveness only) until every admitted call has finished.
    func waitUntilIdle(sourceLocation: SourceLocation = #_sourceLocation) async {
        for _ in 0..<4000 {
            if isIdle { return }
            try? await Task.sleep(for: .milliseconds(1))
        }
        Issue.record("session did not become idle", sourceLocation: sourceLocation)
    }
}

extension JSONValue {
    /// `error.code` of a reply, or nil.
    var errorCode: Int64? { self["error"]?["code"]?.intValue }
    var errorMessage: String? { self["error"]?["message"]?.stringValue }
}
