import A2ALTestSupport
import A2ALRPC
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// docs/getting-started.md's commands, run verbatim: the "background" block (the daemon) in
/// its own process group, then every other unskipped block as one bash script with
/// `set -euo pipefail`, so any failing command fails the test. The only setup is the
/// environment a reader could have: the binaries this test run built on `PATH`, and
/// `A2AL_SOCKET`, `A2AL_DATA_DIR` and `A2AL_LISTEN` pointing into a temporary directory so
/// the run touches nothing of the machine's (the page documents these variables).
@Suite(.serialized) struct GettingStartedDocTests {
    static let page = "docs/getting-started.md"

    @Test func markersAndBlocksAreWhatTheRunExpects() throws {
        let blocks = try DocShellBlocks(markdown: String(decoding: try PackageRoot.read(Self.page), as: UTF8.self))
        #expect(blocks.of(.background).count == 1, "exactly one background block (the daemon)")
        #expect(blocks.of(.run).count >= 5, "the page's calls are what this test runs; found \(blocks.of(.run).count) blocks")
        #expect(blocks.of(.background).first?.text.contains("a2ald") == true)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/bin/bash")
                   && Self.onPath("jq") && Self.onPath("socat"), "needs bash, jq and socat (scripts/setup.sh installs them)"))
    func commandsRunVerbatim() async throws {
        let blocks = try DocShellBlocks(markdown: String(decoding: try PackageRoot.read(Self.page), as: UTF8.self))
        let daemonBlock = try #require(blocks.of(.background).first)
        let dir = try DaemonDirectory()
        let products = URL(fileURLWithPath: try DaemonProcess.locateExecutable()).deletingLastPathComponent().path
        #expect(FileManager.default.isExecutableFile(atPath: products + "/a2al-cli"), "a2al-cli is not built next to a2ald in \(products)")

        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("A2AL_") }
        env["PATH"] = products + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        env["A2AL_SOCKET"] = dir.socketPath
        env["A2AL_DATA_DIR"] = dir.path + "/state"  // not there yet, as on a first run
        env["A2AL_LISTEN"] = "127.0.0.1:0"

        let daemon = try ChildProcess(executable: "/bin/bash", arguments: ["-c", daemonBlock.text], environment: env,
                                      stdoutPath: dir.path + "/daemon.out", stderrPath: dir.stderrPath, ownProcessGroup: true)
        defer {
            daemon.signalGroup(SIGKILL)
            _ = daemon.waitForExit(timeout: .seconds(5))
        }
        try await Offload.run { try Self.waitUntilAccepting(dir.socketPath, daemon: daemon, log: dir) }

        let script = (["set -euo pipefail", "cd '\(PackageRoot.path)'"] + blocks.of(.run).map(\.text)).joined(separator: "\n")
        let shell = try ChildProcess(executable: "/bin/bash", arguments: ["-c", script], environment: env,
                                     stdoutPath: dir.path + "/script.out", stderrPath: dir.path + "/script.err",
                                     ownProcessGroup: true)
        let finished = try await Offload.run { shell.waitForExit(timeout: .seconds(120)) }
        if !finished { shell.signalGroup(SIGKILL) }
        let out = dir.readLog(dir.path + "/script.out")
        let err = dir.readLog(dir.path + "/script.err")
        let context = "stdout:\n\(out)\nstderr:\n\(err)\ndaemon stderr:\n\(dir.readLog(dir.stderrPath))"
        try #require(finished, "the page's commands did not finish within 120 s; \(context)")
        #expect(shell.exitStatus == 0, "a command on the page failed (\(shell.exitDescription)); \(context)")

        // What the page says the reader will see.
        #expect(out.contains("\"routing_table_size\""), "node.info output; \(context)")
        #expect(out.contains("node.ping — Ping one peer."), "node.ping --help; \(context)")
        #expect(out.contains("\"endpoints\""), "query.resolve of the published endpoint; \(context)")
        #expect(out.contains("exit status 3"), "the rejected ping's exit status; \(context)")
        #expect(err.contains("invalid params: addr"), "the rejected ping's message; \(context)")
        #expect(out.contains("\"type\": \"topic\""), "the record_stored event of the topic; \(context)")
        #expect(out.contains("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"keys\":"), "socat store.len; \(context)")
        #expect(out.contains("\"label\":\"demo\""), "socat agent.list; \(context)")

        // The daemon the page started is still serving, and stops cleanly on SIGTERM.
        #expect(daemon.isRunning, "the daemon exited during the run; \(context)")
        daemon.signalGroup(SIGTERM)
        let stopped = try await Offload.run { daemon.waitForExit(timeout: .seconds(20)) }
        #expect(stopped && daemon.exitStatus == 0, "daemon after SIGTERM: \(daemon.exitDescription)")
    }

    private static func waitUntilAccepting(_ socket: String, daemon: ChildProcess, log: DaemonDirectory) throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let probe = try? RPCLineClient(path: socket) {
                probe.close()
                return
            }
            guard daemon.isRunning else {
                throw DaemonProcessError(description: "the page's daemon block \(daemon.exitDescription); stderr:\n\(log.readLog(log.stderrPath))")
            }
            usleep(50_000)
        }
        throw DaemonProcessError(description: "the page's daemon did not accept on \(socket) within 20 s; stderr:\n\(log.readLog(log.stderrPath))")
    }

    private static func onPath(_ tool: String) -> Bool {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return dirs.contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") }
    }
}
