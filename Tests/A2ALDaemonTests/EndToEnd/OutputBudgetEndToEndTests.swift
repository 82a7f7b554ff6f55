import A2ALTestSupport
import A2ALRPC
import Foundation
import Testing

/// A client that pipelines requests and never reads its replies must not grow the daemon
/// (docs/security.md, "Local clients"; docs/jsonrpc.md, "Framing and protocol"): past the
/// per-connection output budget the daemon stops reading that connection, and closes it when
/// it stays full for the stall timeout. Before the budget, 559 KB of pipelined `rpc.discover`
/// batches took the daemon from 26 MB to 683 MB.
@Suite(.serialized) struct OutputBudgetEndToEndTests {
    /// Resident memory the daemon may reach while one client hoards replies. Its own working
    /// set is about 30 MiB; the budget (4 MiB of queued output) plus the replies of the calls
    /// already running (at most 128 `rpc.discover` results of 190 KB) and the batch reply
    /// being assembled come to well under 100 MiB more.
    static let rssBound = 160 << 20
    /// Requests the hog may write before the test gives up waiting for back-pressure: far
    /// more than the kernel's socket buffers hold, so without back-pressure the daemon takes
    /// them all (each batch line of 5 KB asks for 19 MB of replies).
    static let maxHogBytes = 4 << 20
    /// The stall timeout the daemon is started with (the default is 30 s; docs/jsonrpc.md):
    /// long enough for the hog's last send to time out (1 s) before the daemon closes it.
    static let stallTimeoutMs = 5000

    @Test func aClientThatNeverReadsIsThrottledThenClosedWhileOthersAreServed() async throws {
        let d = try await DaemonProcess.start(environment: ["A2AL_OUTPUT_STALL_TIMEOUT_MS": String(Self.stallTimeoutMs)])
        let pid = d.pid
        let baseline = try #require(ProcessStats.residentBytes(of: pid))

        // The hog: a send that cannot complete within 1 s means the daemon stopped reading.
        let hog = try RPCLineClient(path: d.socketPath, sendTimeout: .seconds(1))
        defer { hog.close() }
        let batch = Array(("[" + (0..<100).map { #"{"jsonrpc":"2.0","id":\#($0),"method":"rpc.discover"}"# }
            .joined(separator: ",") + "]\n").utf8)
        let chunk = Array((0..<8).map { _ in batch }.joined())
        var sent = 0
        var peak = baseline
        var throttled = false
        let writeDeadline = ContinuousClock.now + .seconds(120)
        while sent < Self.maxHogBytes, ContinuousClock.now < writeDeadline {
            do {
                try await Offload.run { try hog.send(bytes: chunk) }
                sent += chunk.count
            } catch let e as RPCClientError where e.kind == .timeout {
                throttled = true
                break
            }
            peak = max(peak, ProcessStats.residentBytes(of: pid) ?? 0)
            // Stop at once when the bound is broken: without the budget memory climbs by
            // hundreds of megabytes a second.
            try #require(peak < Self.rssBound, "RSS \(peak >> 20) MiB after \(sent) bytes of requests (baseline \(baseline >> 20) MiB)")
        }
        #expect(throttled, "the daemon read all \(sent) bytes of requests from a client that never reads")

        // Another client is served, big replies included, while the hog is throttled.
        let other = try d.connect()
        defer { other.close() }
        let info = try await Offload.run { try other.result("node.info") }
        #expect(info["node_id"]?.stringValue?.count == 64, "node.info while the hog is throttled: \(info)")
        let discover = try await Offload.run { try other.result("rpc.discover") }
        #expect(discover["methods"]?.arrayValue?.isEmpty == false, "rpc.discover while the hog is throttled")

        // The hog stays full, so the daemon closes it after the stall timeout; memory stays
        // bounded all the while. Only `other` is left then.
        var connections: Int64 = -1
        let closeDeadline = ContinuousClock.now + .milliseconds(Self.stallTimeoutMs) + .seconds(30)
        while ContinuousClock.now < closeDeadline {
            peak = max(peak, ProcessStats.residentBytes(of: pid) ?? 0)
            try #require(peak < Self.rssBound, "RSS \(peak >> 20) MiB while the hog is throttled (baseline \(baseline >> 20) MiB)")
            connections = try await Offload.run { try other.result("node.stats")["rpc"]?["connections"]?.intValue ?? -1 }
            if connections == 1 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(connections == 1, "the hog's connection was not closed; the daemon counts \(connections) connections")
        #expect(try await d.waitForStderr(containing: "not reading its replies", timeout: .seconds(5)),
                "no log line about the closed hog; stderr:\n\(d.stderr.suffix(2000))")
        print("output budget: baseline RSS \(baseline >> 20) MiB, peak \(peak >> 20) MiB, hog wrote \(sent) bytes")
        #expect(try await d.stop() == 0)
    }
}
