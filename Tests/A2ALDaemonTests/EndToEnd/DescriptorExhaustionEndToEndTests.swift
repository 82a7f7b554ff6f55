import A2ALTestSupport
import A2ALRPC
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Running out of file descriptors must not make the daemon spin (docs/security.md, "Local
/// clients"): a failed `accept` backs off instead of being retried at once, and at start the
/// connection cap is checked against the open-file limit (RLIMIT_NOFILE) and lowered, with a
/// warning, when the limit cannot hold it. Before, the accept loop spun at 100% CPU (22,297
/// failed accepts in 3 s).
@Suite(.serialized) struct DescriptorExhaustionEndToEndTests {
    /// CPU the daemon may use while clients wait in the listen queue it cannot accept from.
    /// Idle it uses about 0.01 s per second; spinning on `accept` it uses a whole core.
    static let cpuBound = 0.3
    /// The measurement window: CPU time is a rate, so it needs an interval to be measured over.
    static let window: Duration = .seconds(3)
    static let connections = 150

    @Test func aSmallOpenFileLimitLowersTheCapAndTheDaemonStaysQuiet() async throws {
        try DescriptorStorm.raiseOwnOpenFileLimit(toAtLeast: Self.connections + 256)
        let dir = try DaemonDirectory()
        let wrapper = dir.path + "/a2ald-ulimit.sh"
        // dash's `ulimit -n` sets the soft and the hard limit, so the daemon cannot raise it.
        let script = "#!/bin/sh\nulimit -n 64 || exit 97\nexec \"$A2ALD_REAL\" \"$@\"\n"
        try script.write(toFile: wrapper, atomically: true, encoding: .utf8)
        chmod(wrapper, 0o755)
        let d = try await DaemonProcess.start(executable: wrapper, directory: dir,
                                              environment: ["A2ALD_REAL": try DaemonProcess.locateExecutable()])
        #expect(try await d.waitForStderr(containing: "RLIMIT_NOFILE", timeout: .seconds(5)),
                "no warning about the open-file limit; stderr:\n\(d.stderr.suffix(2000))")

        let storm = try await DescriptorStorm.open(Self.connections, to: d)
        defer { storm.closeAll() }
        let outcome = try await storm.classify(within: .seconds(30))
        #expect(outcome.served > 0 && outcome.served < 64, "served \(outcome.served) of \(Self.connections)")
        #expect(outcome.unanswered == 0,
                "\(outcome.unanswered) connections were never answered (stuck behind a failing accept)")
        #expect(outcome.refusedLimit.map { $0 == outcome.served } ?? false,
                "the over-capacity line should name the lowered cap \(outcome.served): \(outcome)")

        let cpu = try await DescriptorStorm.cpuUsed(by: d.pid, over: Self.window)
        print("descriptor limit 64: served \(outcome.served), refused \(outcome.refused), CPU \(cpu) s in \(Self.window)")
        #expect(cpu < Self.cpuBound, "the daemon used \(cpu) s of CPU in \(Self.window) with \(Self.connections) clients connected")

        storm.closeAll()
        let info = try await DescriptorStorm.nodeInfoOnFreshConnection(d, within: .seconds(20))
        #expect(info["node_id"]?.stringValue?.count == 64, "after the storm: \(info)")
        #expect(try await d.stop() == 0)
    }

    @Test func exhaustedDescriptorsBackOffAcceptingAndServeAgainOnceFreed() async throws {
        try DescriptorStorm.raiseOwnOpenFileLimit(toAtLeast: Self.connections + 256)
        let d = try await DaemonProcess.start()
        // Leave the running daemon a handful of descriptors, as if something else had taken
        // the rest: the start-up check can not foresee that, the accept back-off must cope.
        let open = try #require(ProcessStats.openDescriptors(of: d.pid))
        try ProcessStats.setOpenFileLimit(of: d.pid, to: open + 6)

        let storm = try await DescriptorStorm.open(40, to: d)
        defer { storm.closeAll() }
        let outcome = try await storm.classify(within: .seconds(8))
        #expect(outcome.unanswered > 0, "every connection was served: the descriptors were not exhausted (\(outcome))")
        #expect(try await d.waitForStderr(containing: "accept", timeout: .seconds(5)),
                "no log line about failing accepts; stderr:\n\(d.stderr.suffix(2000))")

        let cpu = try await DescriptorStorm.cpuUsed(by: d.pid, over: Self.window)
        print("descriptors exhausted: served \(outcome.served), waiting \(outcome.unanswered), CPU \(cpu) s in \(Self.window)")
        #expect(cpu < Self.cpuBound, "the daemon used \(cpu) s of CPU in \(Self.window) with its descriptors exhausted")

        storm.closeAll()
        let info = try await DescriptorStorm.nodeInfoOnFreshConnection(d, within: .seconds(30))
        #expect(info["node_id"]?.stringValue?.count == 64, "after the descriptors were freed: \(info)")
        #expect(try await d.stop() == 0)
    }
}

/// Many connections held open at once, each having asked for `node.info`.
private final class DescriptorStorm: @unchecked Sendable {
    struct Outcome: CustomStringConvertible {
        var served = 0
        var refused = 0
        /// The limit the over-capacity error named ("too many connections (limit N)").
        var refusedLimit: Int?
        var unanswered = 0
        var description: String { "served \(served), refused \(refused) (limit \(refusedLimit ?? -1)), unanswered \(unanswered)" }
    }

    private let clients: [RPCLineClient]

    private init(clients: [RPCLineClient]) { self.clients = clients }

    /// Connects `count` clients (the kernel queues what the daemon does not accept) and sends
    /// each a `node.info` request, which waits in its socket until the daemon reads it.
    static func open(_ count: Int, to d: DaemonProcess) async throws -> DescriptorStorm {
        let clients = try await Offload.run { try (0..<count).map { _ in try d.connect() } }
        for c in clients {
            try? c.send(line: #"{"jsonrpc":"2.0","id":1,"method":"node.info"}"#)
        }
        return DescriptorStorm(clients: clients)
    }

    /// Reads each connection's first line until `patience` runs out overall.
    func classify(within patience: Duration) async throws -> Outcome {
        let clients = clients
        return try await Offload.run {
            let deadline = ContinuousClock.now + patience
            var out = Outcome()
            for c in clients {
                let remaining = deadline - ContinuousClock.now
                let line: JSONValue?
                do {
                    line = remaining > .zero ? try c.readJSON(timeout: remaining) : nil
                } catch let e as RPCClientError where e.kind == .timeout {
                    line = nil
                }
                if line?["result"]?["node_id"] != nil {
                    out.served += 1
                } else if line?["error"]?["code"] == -32007 {
                    out.refused += 1
                    let message = line?["error"]?["message"]?.stringValue ?? ""
                    if let r = message.range(of: "limit ") {
                        out.refusedLimit = Int(message[r.upperBound...].prefix { $0.isNumber })
                    }
                } else {
                    out.unanswered += 1
                }
            }
            return out
        }
    }

    func closeAll() { for c in clients { c.close() } }

    /// CPU seconds `pid` used over `window`.
    static func cpuUsed(by pid: Int32, over window: Duration) async throws -> Double {
        let before = try #require(ProcessStats.cpuSeconds(of: pid))
        // A rate needs an interval; nothing else is awaited here.
        try await Task.sleep(for: window)
        let after = try #require(ProcessStats.cpuSeconds(of: pid))
        return after - before
    }

    /// `node.info` on a new connection, retrying while the daemon refuses for capacity or has
    /// not accepted it yet.
    static func nodeInfoOnFreshConnection(_ d: DaemonProcess, within patience: Duration) async throws -> JSONValue {
        try await Offload.run {
            let deadline = ContinuousClock.now + patience
            var last = "nothing"
            while ContinuousClock.now < deadline {
                let c = try d.connect()
                defer { c.close() }
                do {
                    let response = try c.call("node.info", timeout: .seconds(3))
                    if let result = response["result"] { return result }
                    last = JSONWriter.write(response).text
                } catch {
                    last = "\(error)"
                }
                usleep(100_000)
            }
            throw ContractFailure(description: "node.info on a new connection within \(patience): \(last)")
        }
    }

    /// The test process holds every client descriptor itself.
    static func raiseOwnOpenFileLimit(toAtLeast wanted: Int) throws {
        var limit = rlimit()
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        guard getrlimit(resource, &limit) == 0 else { throw ContractFailure(description: "getrlimit failed") }
        guard limit.rlim_cur < rlim_t(wanted) else { return }
        limit.rlim_cur = min(limit.rlim_max, rlim_t(wanted))
        guard setrlimit(resource, &limit) == 0, limit.rlim_cur >= rlim_t(wanted) else {
            throw ContractFailure(description: "cannot raise RLIMIT_NOFILE to \(wanted)")
        }
    }
}
