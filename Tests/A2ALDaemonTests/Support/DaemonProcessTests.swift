import A2ALTestSupport
import A2ALRPC
import Foundation
import Testing

/// The harness's own behaviour, checked with stand-in executables (a shell script and a
/// small Python JSON-RPC server) so it is known to work before the real daemon exists.
@Suite struct DaemonProcessTests {
    static let hasPython = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")

    /// Writes an executable script into a fresh directory.
    static func script(_ text: String, in dir: DaemonDirectory) throws -> String {
        let path = dir.path + "/fake-daemon"
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o755]) else {
            throw DaemonProcessError(description: "cannot write \(path)")
        }
        return path
    }

    /// Serves newline-delimited JSON-RPC on --socket: answers every request with its method
    /// and the command line; exits 0 on SIGTERM, as the daemon should.
    static let fakeDaemon = #"""
    #!/usr/bin/python3
    import json, os, signal, socket, sys, threading
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    path = sys.argv[sys.argv.index("--socket") + 1]
    if os.path.exists(path):
        os.unlink(path)  # a stale socket from an earlier run, as the daemon does
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(16)
    print("fake daemon up", file=sys.stderr, flush=True)
    def serve(conn):
        f = conn.makefile("rwb")
        for line in f:
            req = json.loads(line)
            if "id" not in req:
                continue
            reply = {"jsonrpc": "2.0", "id": req["id"], "result": {"method": req["method"], "argv": sys.argv[1:]}}
            f.write((json.dumps(reply) + "\n").encode())
            f.flush()
    while True:
        c, _ = srv.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()
    """#

    @Test func startFailsWithTheDaemonsStderrWhenItExits() async throws {
        let scratch = try DaemonDirectory()
        let exe = try Self.script("#!/bin/sh\necho \"fake: refusing $*\" >&2\nexit 3\n", in: scratch)
        do {
            _ = try await DaemonProcess.start(executable: exe)
            Issue.record("start succeeded although the process exited")
        } catch let e as DaemonProcessError {
            #expect(e.description.contains("exited with status 3"), "\(e)")
            #expect(e.description.contains("fake: refusing --data-dir /tmp/"), "\(e)")
            #expect(e.description.contains("--listen 127.0.0.1:0"), "\(e)")
        }
    }

    @Test func startGivesUpWhenTheSocketNeverAccepts() async throws {
        let scratch = try DaemonDirectory()
        let exe = try Self.script("#!/bin/sh\necho waiting >&2\nexec sleep 30\n", in: scratch)
        let began = ContinuousClock.now
        do {
            _ = try await DaemonProcess.start(executable: exe, startupTimeout: .milliseconds(500))
            Issue.record("start succeeded although nothing listened")
        } catch let e as DaemonProcessError {
            #expect(e.description.contains("did not accept connections"), "\(e)")
            #expect(e.description.contains("waiting"), "\(e)")
        }
        // Liveness only: the harness returned instead of waiting for the 30 s sleep.
        #expect(ContinuousClock.now - began < .seconds(25))
    }

    @Test(.enabled(if: hasPython, "needs /usr/bin/python3 for the stand-in daemon"))
    func lifecycleAgainstAStandInDaemon() async throws {
        let scratch = try DaemonDirectory()
        let exe = try Self.script(Self.fakeDaemon, in: scratch)
        let daemon = try await DaemonProcess.start(extraArguments: ["--passive"], executable: exe)
        #expect(daemon.socketPath.utf8.count <= UnixSocket.maxPathBytes)
        var isDir: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: daemon.dataDir, isDirectory: &isDir) && isDir.boolValue)

        let response = try await daemon.call("node.info", [:])
        #expect(response["id"] == 1)
        #expect(response["result"]?["method"] == "node.info")
        let argv = response["result"]?["argv"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(argv == ["--data-dir", daemon.dataDir, "--socket", daemon.socketPath, "--listen", "127.0.0.1:0", "--passive"])
        let result = try await daemon.result("store.len")
        #expect(result["method"] == "store.len")

        let other = try daemon.connect()
        #expect(try other.result("agent.list")["method"] == "agent.list")
        #expect(try await daemon.waitForStderr(containing: "fake daemon up"))
        let sawMissing = try await daemon.waitForStderr(containing: "never written", timeout: .milliseconds(100))
        #expect(!sawMissing)

        #expect(try await daemon.stop() == 0)
        #expect(!daemon.isRunning)

        // Same directory again, then a crash.
        let again = try await daemon.restart()
        #expect(again.dataDir == daemon.dataDir)
        #expect(try await again.result("node.info")["method"] == "node.info")
        try await again.kill9()
        #expect(again.exitDescription == "was killed by signal 9")
    }

    @Test func theDirectoryIsShortPrivateAndRemoved() throws {
        var dir: DaemonDirectory? = try DaemonDirectory()
        let path = try #require(dir?.path)
        #expect(try #require(dir?.socketPath).utf8.count < 40)
        let attrs = try FileManager.default.attributesOfItem(atPath: path + "/data")
        #expect((attrs[.posixPermissions] as? NSNumber)?.intValue == 0o700)
        dir = nil
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    /// `swift build --build-tests` builds the daemon next to the test binary.
    @Test func locatesTheBuiltDaemon() throws {
        let path = try DaemonProcess.locateExecutable()
        #expect(path.hasSuffix("/a2ald"))
        #expect(FileManager.default.isExecutableFile(atPath: path))
    }
}
