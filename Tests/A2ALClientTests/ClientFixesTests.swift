import A2ALTestSupport
#if canImport(Glibc)
import Glibc
#endif
import A2ALRPC
import Foundation
import Testing

/// The shell, C and Python fixes of issue 14: `a2al-call subscribe` streams, `make test` in
/// clients/c finds whichever daemon build exists, `pip install ./clients/python` leaves no
/// build/ behind.
@Suite(.serialized) struct ClientFixesTests {
    static func lines(_ path: String) -> [String] {
        let text = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    /// Waits (polling the output file) until it holds `count` lines; fails if the process
    /// ends first or nothing comes within `timeout`.
    static func awaitLines(_ path: String, _ count: Int, while child: ChildProcess,
                           timeout: Duration = .seconds(30)) async throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let got = lines(path)
            if got.count >= count { return got }
            guard child.isRunning else { throw TestFileError("the process ended with \(got.count) of \(count) lines: \(got)") }
            guard ContinuousClock.now < deadline else { throw TestFileError("\(got.count) of \(count) lines within \(timeout): \(got)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test(.enabled(if: ClientShimTests.hasSocat)) func shellSubscribeStreamsEventsWhileRunning() async throws {
        let d = try await DaemonProcess.start()
        let dir = try DaemonDirectory()
        let out = dir.path + "/events", err = dir.path + "/err"
        let env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "A2AL_SOCKET": d.socketPath]
        let child = try ChildProcess(executable: "/bin/sh",
                                     arguments: [PackageRoot.file("clients/shell/a2al-call"), "subscribe", #"{"event":"record_stored"}"#],
                                     environment: env, stdoutPath: out, stderrPath: err)
        let reply = try await Self.awaitLines(out, 1, while: child)
        #expect(try JSONParser.parse(reply[0])["result"]?["subscription"]?.stringValue != nil, "\(reply)")

        let c = try d.connect()
        defer { c.close() }
        let agent = try await Offload.run { try c.result("agent.create") }
        _ = try await Offload.run {
            try c.result("publish.endpoint", ["agent": agent["address"] ?? .null, "endpoints": ["quic://127.0.0.1:5544"], "timeout_ms": 300])
        }
        let both = try await Self.awaitLines(out, 2, while: child)
        #expect(child.isRunning, "a2al-call subscribe must still be running while it prints events")
        let event = try JSONParser.parse(both[1])
        #expect(event["method"] == "subscription", "\(both)")
        #expect(event["params"]?["result"]?["publisher"] == agent["address"], "\(both)")
        #expect(event["params"]?["result"]?["seq"]?.stringValue.flatMap(SafeInteger.parse) != nil, "seq is a decimal string: \(both)")

        child.signal(SIGTERM)
        #expect(try await Offload.run { child.waitForExit(timeout: .seconds(20)) })
        try await d.stop()
    }

    /// `make test` with no A2ALD_BINARY: the script picks the newest of the release build
    /// (scripts/setup.sh) and the debug build (`swift build`), whichever exists.
    @Test(.enabled(if: ClientShimTests.hasCToolchain)) func cMakeTestFindsTheDaemonBuild() async throws {
        let run = try await ClientShimTests.sh("unset A2ALD_BINARY; make -s test", in: "clients/c")
        #expect(run.status == 0, "\(run.output)")
        #expect(!run.output.contains("not found"), "\(run.output)")
    }

    @Test func noCompiledArtefactsOfTheCClientAreTracked() async throws {
        let run = try await ClientShimTests.sh("git ls-files clients/c", in: ".")
        try #require(run.status == 0, "\(run.output)")
        let tracked = run.output.split(separator: "\n").map(String.init)
        #expect(tracked.contains("clients/c/a2al_client.c"), "\(tracked)")
        let built = tracked.filter { $0.hasSuffix(".o") || ["clients/c/example", "clients/c/test_framing", "clients/c/print_socket"].contains($0) }
        #expect(built.isEmpty, "\(built)")
    }

    /// The install builds outside the checkout (clients/python/_a2al_build.py): afterwards
    /// there is no build/ or *.egg-info in clients/python, and the package imports.
    @Test(.enabled(if: ClientShimTests.hasPython)) func pipInstallLeavesNoBuildDirectory() async throws {
        let target = try DaemonDirectory()
        let python = PackageRoot.file("clients/python")
        let leftovers = "ls -d \(python)/build \(python)/*.egg-info 2>/dev/null"
        let before = try await ClientShimTests.sh(leftovers, in: ".")
        try #require(before.output.isEmpty, "already there before the install: \(before.output)")
        let install = try await ClientShimTests.sh(
            "python3 -m pip install --quiet --no-deps --target '\(target.path)/site' ./clients/python 2>&1", in: ".")
        #expect(install.status == 0, "\(install.output)")
        let after = try await ClientShimTests.sh(leftovers, in: ".")
        #expect(after.output.isEmpty, "pip install left \(after.output)")
        let imported = try await ClientShimTests.sh(
            "PYTHONPATH='\(target.path)/site' python3 -c 'import a2al_client, sys; sys.stdout.write(a2al_client.__name__)'", in: "/")
        #expect(imported.output == "a2al_client", "\(imported.output)")
    }
}
