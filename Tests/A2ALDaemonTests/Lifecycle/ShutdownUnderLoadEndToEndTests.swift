import A2ALTestSupport
import A2ALRPC
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM with 20 calls in flight answers every one of them (a result or `unavailable`)
/// before the connections close; and a SIGTERM right after startup is never lost
/// (docs/systemd.md, "Stopping and restarting").
@Suite(.serialized) struct ShutdownUnderLoadEndToEndTests {
    @Test func twentyCallsInFlightAreAllAnswered() async throws {
        let blackHole = try SilentUDPPeer()
        let d = try await DaemonProcess.start()
        let connections = try (0..<4).map { _ in try d.connect() }
        defer { connections.forEach { $0.close() } }
        var ids: [[String]] = []
        for (n, c) in connections.enumerated() {
            var mine: [String] = []
            for k in 0..<5 {
                let id = "slow-\(n)-\(k)"
                mine.append(id)
                try c.send(line: #"{"jsonrpc":"2.0","id":"\#(id)","method":"node.ping","params":{"addr":"\#(blackHole.addr)","timeout_ms":60000}}"#)
            }
            // Lines are taken in order: once this answers, the five pings are running.
            try c.send(line: #"{"jsonrpc":"2.0","id":"marker","method":"node.info"}"#)
            let marker = try await Offload.run { try c.readJSON(timeout: .seconds(10)) }
            #expect(marker?["id"] == "marker", "marker on connection \(n): \(String(describing: marker))")
            ids.append(mine)
        }

        #expect(try await d.stop(timeout: .seconds(15)) == 0, "stderr:\n\(d.stderr.suffix(2000))")
        var answered = 0
        for (n, c) in connections.enumerated() {
            var seen: Set<String> = []
            while let reply = try await Offload.run({ try c.readJSON(timeout: .seconds(5)) }) {
                guard let id = reply["id"]?.stringValue else { continue }
                let ok = reply["result"] != nil || reply["error"]?["code"] == -32010
                #expect(ok, "reply to \(id): \(reply)")
                if ok { seen.insert(id) }
            }
            #expect(seen == Set(ids[n]), "connection \(n) answered \(seen.sorted()) of \(ids[n])")
            answered += seen.count
        }
        #expect(answered == 20)
    }

    @Test func sigtermRightAfterStartupStopsTheDaemon() async throws {
        for round in 0..<3 {
            let d = try await DaemonProcess.start()
            // As soon as the socket accepts: the earliest a client can act.
            #expect(kill(d.pid, SIGTERM) == 0)
            let exited = try await E2EPoll.until(within: .seconds(20)) { d.isRunning ? nil : true }
            #expect(exited != nil, "round \(round): still running 20 s after SIGTERM; stderr:\n\(d.stderr)")
            #expect(d.exitStatus == 0, "round \(round): \(d.exitDescription)")
        }
    }
}
