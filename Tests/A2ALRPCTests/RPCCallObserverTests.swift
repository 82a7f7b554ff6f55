import Synchronization
import Testing
@testable import A2ALRPC

/// The hook the daemon's metrics hang on (docs/metrics.md, `a2al_jsonrpc_calls_total`): every
/// call a session answers is reported once, with the registered method name (nil, never the
/// client's text, for unknown methods and invalid requests), its error code and, when the
/// handler ran, how long it took.
@Suite struct RPCCallObserverTests {
    final class Calls: RPCCallObserver {
        struct Call: Equatable {
            var method: String?
            var code: Int?
            var timed: Bool
        }
        private let calls = Mutex<[Call]>([])
        func callFinished(method: String?, errorCode: Int?, duration: Duration?) {
            calls.withLock { $0.append(Call(method: method, code: errorCode, timed: duration.map { $0 >= .zero } ?? false)) }
        }
        var all: [Call] { calls.withLock { $0 } }
    }

    static func service(_ observer: Calls) -> RPCService {
        var router = RPCRouter()
        router.register("echo", summary: "Returns its params.") { call in call.params.object }
        router.register("fail.rpc", summary: "Fails with not_found.") { _ in
            throw RPCError.app(.notFound, "no such thing")
        }
        return RPCService(router: router, hub: EventHub(eventNames: []), observer: observer)
    }

    @Test func everyAnsweredCallIsReportedOnceWithABoundedMethodName() async {
        let calls = Calls()
        let sink = RecordingSink()
        let session = Self.service(calls).makeSession(sink: sink, peer: nil)
        session.receive(#"{"jsonrpc":"2.0","id":1,"method":"echo","params":{"a":1}}"#)
        session.receive(#"{"jsonrpc":"2.0","id":2,"method":"fail.rpc"}"#)
        session.receive(#"{"jsonrpc":"2.0","id":3,"method":"no.such.method.12345"}"#)
        session.receive(#"{"jsonrpc":"2.0","id":4}"#)
        session.receive(#"[{"jsonrpc":"2.0","id":5,"method":"echo"},{"jsonrpc":"2.0","id":6,"method":"nope"}]"#)
        let replies = await sink.waitForLines(5)
        await session.waitUntilIdle()
        #expect(replies.count == 5)
        let notFound = RPCError.app(.notFound, "x").code
        let expected: [Calls.Call] = [
            .init(method: "echo", code: nil, timed: true),
            .init(method: "fail.rpc", code: notFound, timed: true),
            .init(method: nil, code: -32601, timed: false),
            .init(method: nil, code: -32600, timed: false),
            .init(method: nil, code: -32601, timed: false),
            .init(method: "echo", code: nil, timed: true),
        ]
        // Calls that run finish in any order; compare as multisets.
        let key = { (c: Calls.Call) in "\(c.method ?? "nil")|\(c.code.map(String.init) ?? "ok")|\(c.timed)" }
        #expect(calls.all.map(key).sorted() == expected.map(key).sorted(), "\(calls.all)")
    }

    @Test func withoutAnObserverNothingChanges() async {
        var router = RPCRouter()
        router.register("echo", summary: "Returns its params.") { call in call.params.object }
        let sink = RecordingSink()
        let session = RPCService(router: router, hub: EventHub(eventNames: [])).makeSession(sink: sink, peer: nil)
        session.receive(#"{"jsonrpc":"2.0","id":1,"method":"echo","params":{"a":1}}"#)
        #expect(await sink.waitForLines(1).first?["result"] == ["a": 1])
    }
}
