import A2ALTestSupport
#if canImport(Glibc)
import Glibc
#endif
import A2ALRPC
import Foundation
import Testing

/// Socket activation as systemd does it: the listening socket arrives as fd 3 with
/// LISTEN_FDS=1 and LISTEN_PID naming the daemon's own pid. A small Python launcher binds the
/// socket, moves it to fd 3, sets the variables and execs a2ald (exec keeps the pid).
@Suite(.serialized) struct SystemdActivationEndToEndTests {
    static let launcher = """
    import os, socket, sys
    path, binary, *args = sys.argv[1:]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    os.chmod(path, 0o600)
    s.listen(16)
    os.dup2(s.fileno(), 3)
    os.set_inheritable(3, True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("A2AL_")}
    env["LISTEN_FDS"] = "1"
    env["LISTEN_PID"] = str(os.getpid())
    os.execve(binary, [binary] + args, env)
    """

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")))
    func adoptsTheSocketSystemdPasses() async throws {
        let dir = try DaemonDirectory()
        let binary = try DaemonProcess.locateExecutable()
        let socketPath = dir.path + "/activated.sock"
        // --socket names a different path: the inherited socket must win over it.
        let child = try ChildProcess(
            executable: "/usr/bin/python3",
            arguments: ["-c", Self.launcher, socketPath, binary, "--data-dir", dir.dataDir,
                        "--socket", dir.socketPath, "--listen", "127.0.0.1:0"],
            environment: ProcessInfo.processInfo.environment, stdoutPath: dir.stdoutPath, stderrPath: dir.stderrPath)
        defer { child.signal(SIGKILL) }
        var client: RPCLineClient?
        for _ in 0..<200 where client == nil {
            if let c = try? RPCLineClient(path: socketPath), (try? c.result("node.info")) != nil { client = c; break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let c = try #require(client, "no answer on the inherited socket; stderr:\n\(dir.readLog(dir.stderrPath))")
        let info = try c.result("node.info")
        #expect(info.str("socket") == socketPath)
        #expect(access(dir.socketPath, F_OK) != 0, "the daemon bound --socket although systemd passed a socket")
        c.close()
        child.signal(SIGTERM)
        #expect(try await Offload.run { child.waitForExit(timeout: .seconds(20)) })
        #expect(child.exitStatus == 0, "\(child.exitDescription); stderr:\n\(dir.readLog(dir.stderrPath))")
        // The socket belongs to systemd: the daemon leaves the file in place.
        #expect(access(socketPath, F_OK) == 0)
    }
}
