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

// Helpers shared by the SwiftClient suites.


/// Runs `body` and returns its value, or fails with a `TestFileError` naming `what` when it has
/// not finished within `limit`. A body that ignores cancellation is left behind rather than
/// awaited, so a hang in the client fails the test instead of hanging the run.
func swiftClientWithin<T: Sendable>(_ limit: Duration, _ what: String,
                                    _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let once = SwiftClientResumeOnce(continuation)
        // A deadline, not synchronisation: the body normally wins long before it.
        let timer = Task {
            try await Task.sleep(for: limit)
            if once.resume(with: .failure(TestFileError("\(what): not done within \(limit)"))) { once.cancelWork() }
        }
        once.setWork(Task {
            defer { timer.cancel() }
            do { _ = once.resume(with: .success(try await body())) } catch { _ = once.resume(with: .failure(error)) }
        })
    }
}

/// Resumes a continuation once (later attempts return false) and holds the work to cancel
/// when the deadline wins.
final class SwiftClientResumeOnce<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var work: Task<Void, Never>?
        var workCancelled = false
    }
    private let state: Mutex<State>

    init(_ continuation: CheckedContinuation<T, any Error>) { state = Mutex(State(continuation: continuation)) }

    func resume(with result: Result<T, any Error>) -> Bool {
        guard let c = state.withLock({ s -> CheckedContinuation<T, any Error>? in
            defer { s.continuation = nil }
            return s.continuation
        }) else { return false }
        c.resume(with: result)
        return true
    }

    func setWork(_ task: Task<Void, Never>) {
        let cancelNow = state.withLock { s -> Bool in
            s.work = task
            return s.workCancelled
        }
        if cancelNow { task.cancel() }
    }

    func cancelWork() {
        let task = state.withLock { s -> Task<Void, Never>? in
            s.workCancelled = true
            return s.work
        }
        task?.cancel()
    }
}

/// A single-consumer queue: producers on any thread `put`, one task at a time `take`s.
final class SwiftClientMailbox<Item: Sendable>: Sendable {
    private struct State {
        var items: [Item] = []
        var waiter: CheckedContinuation<Item, Never>?
    }
    private let state = Mutex(State())

    func put(_ item: Item) {
        let waiter = state.withLock { s -> CheckedContinuation<Item, Never>? in
            if let w = s.waiter {
                s.waiter = nil
                return w
            }
            s.items.append(item)
            return nil
        }
        waiter?.resume(returning: item)
    }

    func take() async -> Item {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { s -> Item? in
                if !s.items.isEmpty { return s.items.removeFirst() }
                s.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// The next item, failing the test after `limit` instead of waiting forever.
    func next(_ what: String, within limit: Duration = .seconds(10)) async throws -> Item {
        try await swiftClientWithin(limit, what) { await self.take() }
    }
}

/// What a subscription's reader saw, in order.
enum SwiftClientStreamItem: Sendable {
    case event(A2ALEvent)
    case finished
    case failed(any Error)

    var event: A2ALEvent? { if case .event(let e) = self { return e }; return nil }
    var error: (any Error)? { if case .failed(let e) = self { return e }; return nil }
    var isFinished: Bool { if case .finished = self { return true }; return false }
}

/// Iterates `subscription` on its own task, putting every event and then the way the
/// sequence ended into the returned mailbox.
@discardableResult
func swiftClientCollect(_ subscription: A2ALSubscription,
                        into items: SwiftClientMailbox<SwiftClientStreamItem> = SwiftClientMailbox()) -> (SwiftClientMailbox<SwiftClientStreamItem>, Task<Void, Never>) {
    let task = Task {
        do {
            for try await event in subscription { items.put(.event(event)) }
            items.put(.finished)
        } catch {
            items.put(.failed(error))
        }
    }
    return (items, task)
}

/// A scripted fake daemon on a Unix socket. The script runs once per accepted connection on its
/// own thread; every request it reads (and the client's close) is logged for the test to await.
final class SwiftClientFakeDaemon: Sendable {
    enum Seen: Sendable, Equatable {
        case request(JSONValue)
        case clientClosed

        var method: String? { if case .request(let r) = self { return r["method"]?.stringValue }; return nil }
        var request: JSONValue? { if case .request(let r) = self { return r }; return nil }
    }

    /// One accepted connection as the script sees it.
    final class Connection: @unchecked Sendable {
        let raw: UnixLineTestServer.Connection
        let log: SwiftClientMailbox<Seen>

        init(raw: UnixLineTestServer.Connection, log: SwiftClientMailbox<Seen>) {
            self.raw = raw
            self.log = log
        }

        /// The next request (also logged); nil (logged as `.clientClosed`) once the client closed.
        func nextRequest() -> JSONValue? {
            while let line = raw.readLine() {
                guard let request = try? JSONParser.parse(line) else { continue }
                log.put(.request(request))
                return request
            }
            log.put(.clientClosed)
            return nil
        }

        /// Reads and logs requests until the client closes.
        func drain() { while nextRequest() != nil {} }

        func write(_ text: String) { raw.write(text) }

        static func line(_ value: JSONValue) -> String { String(decoding: JSONWriter.write(value), as: UTF8.self) + "\n" }

        static func reply(_ request: JSONValue, _ result: JSONValue) -> String {
            line(["jsonrpc": "2.0", "id": request["id"] ?? .null, "result": result])
        }

        static func event(_ subscription: String, _ result: JSONValue) -> String {
            line(["jsonrpc": "2.0", "method": "subscription", "params": ["subscription": .string(subscription), "result": result]])
        }

        func reply(to request: JSONValue, _ result: JSONValue) { write(Self.reply(request, result)) }
    }

    let server: UnixLineTestServer
    let seen = SwiftClientMailbox<Seen>()
    var path: String { server.path }

    init(_ script: @escaping @Sendable (Connection) -> Void) throws {
        let log = seen
        server = try UnixLineTestServer { raw in script(Connection(raw: raw, log: log)) }
    }

    /// The next request the server read; fails when the client closed or nothing came.
    func nextRequest(_ what: String = "a request") async throws -> JSONValue {
        let s = try await seen.next(what)
        guard let request = s.request else { throw TestFileError("\(what): the client closed the connection instead") }
        return request
    }
}

/// The client's options with one change.
func swiftClientOptions(_ change: (inout A2ALClient.Options) -> Void) -> A2ALClient.Options {
    var o = A2ALClient.Options()
    change(&o)
    return o
}
