import A2ALTestSupport
#if canImport(Glibc)
import Glibc
#endif
import A2ALRPC
import Foundation
import Testing

/// Starting and stopping the real `a2ald` binary: it will not start over a live daemon's
/// socket or data directory, clears a dead daemon's socket file, sets the socket's mode, stops
/// cleanly on SIGINT as on SIGTERM, and checks its command line before doing anything.
@Suite(.serialized) struct LifecycleEndToEndTests {
    @Test func refusesToStartOverALiveDaemon() async throws {
        let live = try await DaemonProcess.start()

        let ownData = try DaemonDirectory()
        let sameSocket = try await A2ALDInvocation.run(
            ["--data-dir", ownData.dataDir, "--socket", live.socketPath, "--listen", "127.0.0.1:0"], in: ownData)
        #expect(sameSocket.failed, "a second daemon on a live socket \(sameSocket.outcome)")
        #expect(sameSocket.stderr.contains("another daemon"), "stderr:\n\(sameSocket.stderr)")

        let ownSocket = try DaemonDirectory()
        let sameData = try await A2ALDInvocation.run(
            ["--data-dir", live.dataDir, "--socket", ownSocket.socketPath, "--listen", "127.0.0.1:0"], in: ownSocket)
        #expect(sameData.failed, "a second daemon on a locked data directory \(sameData.outcome)")
        #expect(sameData.stderr.contains("another a2ald"), "stderr:\n\(sameData.stderr)")
        #expect(sameData.stderr.contains("pid \(live.pid)"), "the lock holder should be named; stderr:\n\(sameData.stderr)")
        #expect(!E2EFileSystem.exists(ownSocket.socketPath), "the refused daemon left a socket behind")

        // The refused starts took nothing from the live daemon.
        #expect(E2EFileSystem.isSocket(live.socketPath))
        let fresh = try live.connect()
        defer { fresh.close() }
        let info = try await Offload.run { try fresh.result("node.info") }
        #expect(info.str("socket") == live.socketPath)
        #expect(try await live.stop() == 0)
    }

    @Test func removesAStaleSocketFile() async throws {
        let directory = try DaemonDirectory()
        try A2ALDInvocation.leaveStaleSocket(at: directory.socketPath)
        #expect(E2EFileSystem.isSocket(directory.socketPath))

        let daemon = try await DaemonProcess.start(directory: directory)
        #expect(try await daemon.result("node.info").str("socket") == directory.socketPath)
        #expect(try await daemon.waitForStderr(containing: "removed stale socket file", timeout: .seconds(5)))
        #expect(try await daemon.stop() == 0)
    }

    @Test func socketModeDefaultsTo0600AndFollowsTheFlag() async throws {
        let daemon = try await DaemonProcess.start()
        #expect(E2EFileSystem.mode(daemon.socketPath) == 0o600)
        #expect(try await daemon.stop() == 0)

        let shared = try await daemon.restart(extraArguments: ["--socket-mode", "0660"])
        #expect(E2EFileSystem.mode(shared.socketPath) == 0o660)
        #expect(try await shared.result("node.info").str("socket") == shared.socketPath)
        #expect(try await shared.stop() == 0)
    }

    @Test func sigintStopsCleanly() async throws {
        let daemon = try await DaemonProcess.start()
        _ = try await daemon.result("agent.create", ["label": "before SIGINT"])
        #expect(kill(daemon.pid, SIGINT) == 0)
        let exited = try await E2EPoll.until(within: .seconds(20)) { daemon.isRunning ? nil : true }
        #expect(exited != nil, "the daemon was still running 20 s after SIGINT")
        #expect(daemon.exitStatus == 0, "after SIGINT the daemon \(daemon.exitDescription); stderr:\n\(daemon.stderr)")
        #expect(!E2EFileSystem.exists(daemon.socketPath), "the socket file outlived the daemon")
        #expect(daemon.stderr.contains("SIGINT"), "stderr:\n\(daemon.stderr)")

        // The clean stop released the data directory and kept the agent.
        let again = try await daemon.restart()
        #expect(try await again.result("agent.list")["agents"]?.arrayValue?.first?.str("label") == "before SIGINT")
        #expect(try await again.stop() == 0)
    }

    @Test func printConfigShowsTheEffectiveSettingsAndExits() async throws {
        let scratch = try DaemonDirectory()
        let run = try await A2ALDInvocation.run(
            ["--data-dir", scratch.dataDir, "--socket", scratch.socketPath, "--listen", "127.0.0.1:4999",
             "--socket-mode", "0640", "--print-config"], in: scratch)
        #expect(run.status == 0, "--print-config \(run.outcome); stderr:\n\(run.stderr)")
        let lines = Set(run.stdout.split(separator: "\n").map(String.init))
        for expected in ["data_dir = \(scratch.dataDir)", "socket = \(scratch.socketPath)", "listen = 127.0.0.1:4999",
                         "socket_mode = 0640", "bootstrap = (none)", "passive = false"] {
            #expect(lines.contains(expected), "--print-config lacks \"\(expected)\":\n\(run.stdout)")
        }
        // Printing is all it does: no socket, no lock taken.
        #expect(!E2EFileSystem.exists(scratch.socketPath))
        #expect(!E2EFileSystem.exists(scratch.dataDir + "/a2ald.lock"))
    }

    @Test(arguments: [("--socket-mode", "999"), ("--listen", "nope")])
    func aBadFlagValueIsRefusedNamingTheFlag(flag: String, value: String) async throws {
        let scratch = try DaemonDirectory()
        let run = try await A2ALDInvocation.run(
            ["--data-dir", scratch.dataDir, "--socket", scratch.socketPath, flag, value], in: scratch)
        #expect(run.failed, "\(flag) \(value): the daemon \(run.outcome)")
        #expect(run.stderr.contains(flag), "the message should name \(flag); stderr:\n\(run.stderr)")
        #expect(run.stderr.contains(value), "the message should quote \(value); stderr:\n\(run.stderr)")
        #expect(!E2EFileSystem.exists(scratch.socketPath))
    }
}

/// One run of the `a2ald` binary with exactly the given arguments, for starts that are meant
/// to end by themselves (refusals, `--print-config`).
struct A2ALDInvocation {
    let status: Int32?
    let outcome: String
    let stdout: String
    let stderr: String

    /// Exited by itself with a non-zero status (not killed, not still running).
    var failed: Bool { status.map { $0 != 0 } ?? false }

    /// Runs the daemon binary with `arguments`, output captured in `directory`'s log files.
    /// A process still running after `timeout` is killed and reported as such.
    static func run(_ arguments: [String], in directory: DaemonDirectory,
                    timeout: Duration = .seconds(20)) async throws -> A2ALDInvocation {
        let binary = try DaemonProcess.locateExecutable()
        let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("A2AL_") }
        let child = try ChildProcess(executable: binary, arguments: arguments, environment: environment,
                                     stdoutPath: directory.stdoutPath, stderrPath: directory.stderrPath)
        let exited = try await Offload.run { child.waitForExit(timeout: timeout) }
        let outcome: String
        if exited {
            outcome = child.exitDescription
        } else {
            child.signal(SIGKILL)
            _ = try await Offload.run { child.waitForExit(timeout: .seconds(10)) }
            outcome = "was still running after \(timeout) (killed)"
        }
        return A2ALDInvocation(status: exited ? child.exitStatus : nil, outcome: outcome,
                               stdout: directory.readLog(directory.stdoutPath),
                               stderr: directory.readLog(directory.stderrPath))
    }

    /// A socket file nobody listens on, as a crashed daemon leaves it: bound, then closed
    /// without unlinking.
    static func leaveStaleSocket(at path: String) throws {
        var address = try UnixSocket.address(path)
        let fd = socket(AF_UNIX, UnixSocket.streamType, 0)
        guard fd >= 0 else { throw TestFileError("socket() failed: \(String(cString: strerror(errno)))") }
        defer { _ = systemClose(fd) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw TestFileError("cannot bind \(path): \(String(cString: strerror(errno)))") }
    }
}
