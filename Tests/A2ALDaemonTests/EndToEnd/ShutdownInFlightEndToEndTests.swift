import A2ALTestSupport
import A2ALRPC
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// On SIGTERM every call still running is answered `unavailable` (-32010) before its
/// connection closes, within the shutdown grace period (docs/jsonrpc.md, "Errors";
/// docs/security.md, "Local clients"). Before, the connection just closed and the client
/// could not tell a lost call from a daemon that died.
@Suite(.serialized) struct ShutdownInFlightEndToEndTests {
    @Test func callsInFlightAreAnsweredUnavailableThenTheConnectionCloses() async throws {
        let blackHole = try SilentUDPPeer()
        let d = try await DaemonProcess.start()
        let c = try d.connect()
        defer { c.close() }
        let ping = #"{"jsonrpc":"2.0","id":"slow","method":"node.ping","params":{"addr":"\#(blackHole.addr)","timeout_ms":60000}}"#
        let batch = #"[{"jsonrpc":"2.0","id":"b-slow","method":"node.ping","params":{"addr":"\#(blackHole.addr)","timeout_ms":60000}},"#
            + #"{"jsonrpc":"2.0","id":"b-fast","method":"store.len"}]"#
        try c.send(line: ping)
        try c.send(line: batch)
        // Lines are taken in order, so once this reply arrives both slow calls are running.
        try c.send(line: #"{"jsonrpc":"2.0","id":"marker","method":"node.info"}"#)
        let marker = try await Offload.run { try c.readJSON(timeout: .seconds(10)) }
        #expect(marker?["id"] == "marker" && marker?["result"] != nil, "marker: \(String(describing: marker))")

        let started = ContinuousClock.now
        let status = try await d.stop(timeout: .seconds(15))
        let took = ContinuousClock.now - started
        #expect(status == 0, "exit status after SIGTERM; stderr:\n\(d.stderr.suffix(2000))")
        #expect(took < .seconds(10), "shutdown took \(took) with calls in flight")

        // The replies were written before the daemon closed the connection.
        var single: JSONValue?
        var batchReply: [JSONValue]?
        for _ in 0..<2 {
            guard let line = try await Offload.run({ try c.readJSON(timeout: .seconds(5)) }) else { break }
            if let entries = line.arrayValue { batchReply = entries } else { single = line }
        }
        #expect(single?["id"] == "slow", "reply to the slow call: \(String(describing: single))")
        #expect(single?["error"]?["code"] == -32010, "reply to the slow call: \(String(describing: single))")
        #expect(single?["error"]?["data"]?["kind"] == "unavailable", "reply to the slow call: \(String(describing: single))")
        let byID = Dictionary((batchReply ?? []).map { ($0["id"]?.stringValue ?? "?", $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byID["b-slow"]?["error"]?["code"] == -32010, "batch reply: \(String(describing: batchReply))")
        #expect(byID["b-fast"]?["result"]?["keys"] != nil, "batch reply: \(String(describing: batchReply))")
        // ...and then the connection ended.
        let after = try await Offload.run { try c.readLine(timeout: .seconds(5)) }
        #expect(after == nil, "after the replies the connection should end, got \(after ?? "")")
    }
}

/// A UDP socket on 127.0.0.1 that never answers: a ping to it waits for its whole timeout.
/// Also used by Lifecycle/ShutdownUnderLoadEndToEndTests.
final class SilentUDPPeer {
    let fd: Int32
    let addr: String

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw ContractFailure(description: "socket(): \(String(cString: strerror(errno)))") }
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_addr.s_addr = inet_addr("127.0.0.1")
        sin.sin_port = 0
        let bound = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard bound == 0, named == 0 else {
            _ = systemClose(fd)
            throw ContractFailure(description: "binding a UDP socket on 127.0.0.1 failed: \(String(cString: strerror(errno)))")
        }
        self.fd = fd
        addr = "127.0.0.1:\(UInt16(bigEndian: sin.sin_port))"
    }

    deinit { _ = systemClose(fd) }
}
