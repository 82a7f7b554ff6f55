import A2ALDaemon
import A2ALTestSupport
import A2ALRPC
import Testing

/// `a2al-cli help [METHOD]`, `--version` and the help a typo gets (docs/cli.md).
@Suite(.serialized) struct CLIHelpCommandTests {
    @Test func versionExits0AndMatchesTheDaemon() async throws {
        for flag in ["--version", "-V"] {
            let run = try await CLIProcess.run([flag])
            #expect(run.status == 0, "\(run)")
            #expect(run.stdout == "a2al-cli \(DaemonVersion.string)\n", "\(run)")
        }
    }

    @Test func helpListsMethodsAndDescribesOne() async throws {
        let daemon = try await DaemonProcess.start()
        let list = try await CLITests.cli(daemon, ["help"])
        #expect(list.status == 0, "\(list)")
        #expect(list.stdout.contains("methods (from rpc.discover at \(daemon.socketPath))"), "\(list)")
        #expect(list.stdout.contains("mailbox.ack") && list.stdout.contains("node.ping"), "\(list)")

        let one = try await CLITests.cli(daemon, ["help", "node.ping"])
        #expect(one.status == 0, "\(one)")
        #expect(one.stdout.contains("node.ping — ") && one.stdout.contains("  addr (") && one.stdout.contains("required"), "\(one)")

        let typo = try await CLITests.cli(daemon, ["help", "node.pnig"])
        #expect(typo.status == 2, "\(typo)")
        #expect(typo.stderr.contains("the daemon has no method node.pnig (did you mean node.ping"), "\(typo)")

        let tooMany = try await CLITests.cli(daemon, ["help", "node.ping", "node.info"])
        #expect(tooMany.status == 2, "\(tooMany)")
        try await daemon.stop()
    }

    @Test func helpWithoutADaemonSaysSoAndExits7() async throws {
        let (dir, socket) = try CLITests.missingSocket()
        let run = try await CLIProcess.run(["--socket", socket, "help"])
        #expect(run.status == 7, "\(run)")
        #expect(run.stdout.isEmpty, "\(run)")
        #expect(run.stderr.contains("the daemon at \(socket) did not answer"), "\(run)")
        _ = dir
    }

    @Test func typosAreNamedWithTheClosestName() async throws {
        let daemon = try await DaemonProcess.start()
        let method = try await CLITests.cli(daemon, ["node.pnig"])
        #expect(method.status == 2, "\(method)")
        #expect(method.stderr.contains("did you mean node.ping?"), "\(method)")

        let param = try await CLITests.cli(daemon, ["node.ping", "adr=127.0.0.1:1"])
        #expect(param.status == 3, "\(param)")
        #expect(param.stderr.contains("adr: unknown parameter; did you mean addr?"), "\(param)")
        #expect(!param.stderr.contains("required"), "the unknown name comes first: \(param)")

        // Positional params through a whole-params word are not how the CLI works, but a
        // `since` cursor typed as key=value reaches the daemon as a u64 either way.
        let agent = try await CLITests.cli(daemon, ["-r", "agent.create"])
        let address = try #require(try agent.json()["address"]?.stringValue)
        let read = try await CLITests.cli(daemon, ["-r", "mailbox.read", "agent=\(address)", "since=0", "timeout_ms=300"])
        #expect(read.status == 0, "\(read)")
        #expect(try read.json()["cursor"] == "0", "\(read)")
        try await daemon.stop()
    }
}
