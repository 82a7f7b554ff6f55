import A2ALTestSupport
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// The client shims in clients/ run their own test programs against a live daemon (each
/// starts one from the a2ald binary this test run built). Here they run as part of the one
/// test command, with the binary passed in `A2ALD_BINARY`.
@Suite(.serialized) struct ClientShimTests {
    struct Run { let status: Int32; let output: String }

    /// Runs `command` through /bin/sh in `directory` (relative to the package root).
    static func sh(_ command: String, in directory: String) async throws -> Run {
        let dir = try DaemonDirectory()
        let binary = try DaemonProcess.locateExecutable()
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("A2AL_") }
        env["A2ALD_BINARY"] = binary
        let out = dir.path + "/out.log"
        let child = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "cd \"\(PackageRoot.file(directory))\" && \(command)"],
                                     environment: env, stdoutPath: out, stderrPath: out)
        let exited = try await Offload.run { child.waitForExit(timeout: .seconds(300)) }
        if !exited { child.signal(SIGKILL) }
        return Run(status: exited ? (child.exitStatus ?? -1) : -1, output: dir.readLog(out))
    }

    static var hasPython: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") }
    static var hasCToolchain: Bool {
        ["/usr/bin/make", "/usr/bin/cc"].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
    }
    static var hasSocat: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/socat") }

    @Test(.enabled(if: hasPython)) func pythonClientSuitePasses() async throws {
        let run = try await Self.sh("python3 -m unittest discover -s tests -v", in: "clients/python")
        #expect(run.status == 0, "\(run.output)")
    }

    @Test(.enabled(if: hasCToolchain)) func cExampleBuildsAndRuns() async throws {
        let run = try await Self.sh("make -s clean >/dev/null 2>&1; sh test.sh", in: "clients/c")
        #expect(run.status == 0, "\(run.output)")
    }

    @Test(.enabled(if: hasSocat)) func shellOneLinersWork() async throws {
        let run = try await Self.sh("sh test.sh", in: "clients/shell")
        #expect(run.status == 0, "\(run.output)")
    }
}
