import A2ALRPC
import Dispatch
import Synchronization

/// Counts the lines a session sends, so a call can be timed without any socket.
final class CountingSink: LineSink {
    private let sent = Atomic<Int>(0)
    var lines: Int { sent.load(ordering: .relaxed) }
    func send(_ line: [UInt8]) { sent.add(1, ordering: .relaxed) }
    var backlog: Int { 0 }
    func close() {}
}

/// Nanoseconds one call costs inside the JSON-RPC layer alone (parse, dispatch, handler,
/// render), on the calling thread with no socket: attribution for the socket figures.
func inProcessNanosPerCall(service: RPCService, line: [UInt8], calls: Int) async -> Double {
    let sink = CountingSink()
    let session = service.makeSession(sink: sink, peer: nil)
    defer { session.connectionClosed() }
    for _ in 0..<1_000 { session.receive(line: line) }
    let begin = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<calls { session.receive(line: line) }
    // Handlers that suspend finish on other threads; wait for every reply.
    while sink.lines < calls + 1_000 { await Task.yield() }
    return Double(DispatchTime.now().uptimeNanoseconds - begin) / Double(calls)
}

