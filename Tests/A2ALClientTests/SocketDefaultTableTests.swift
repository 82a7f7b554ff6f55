import A2ALTestSupport
#if canImport(Glibc)
import Glibc
#endif
import A2ALClient
import A2ALRPC
import Foundation
import Testing

/// One rule for the default socket everywhere (docs/jsonrpc.md, "Finding the socket"): every
/// implementation — the daemon, a2al-cli, the Swift, C, Python and shell clients — is run
/// against every case of Tests/socket-defaults.json and must print the same path.
@Suite(.serialized) struct SocketDefaultTableTests {
    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let euid: Int64
        let env: [String: String]
        let socket: String
        var description: String { name }
    }

    static func cases() throws -> [Case] {
        let doc = try PackageRoot.json("Tests/socket-defaults.json")
        let list = try #require(doc["cases"]?.arrayValue)
        return try list.map { c in
            var env: [String: String] = [:]
            for (k, v) in try #require(c["env"]?.objectValue) { env[k] = try #require(v.stringValue) }
            return Case(name: try #require(c["name"]?.stringValue), euid: try #require(c["euid"]?.intValue),
                        env: env, socket: try #require(c["socket"]?.stringValue))
        }
    }

    /// The environment a child gets: nothing inherited but PATH, so the developer's own
    /// A2AL_SOCKET or XDG_RUNTIME_DIR cannot leak in.
    static func environment(_ c: Case?) -> [String: String] {
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": "/tmp"]
        if let c {
            env["A2AL_TEST_EUID"] = String(c.euid)
            env.merge(c.env) { _, new in new }
        }
        return env
    }

    /// Runs a program to its end and answers its standard output.
    static func output(_ executable: String, _ arguments: [String], env: [String: String],
                       extra: [String: String] = [:]) async throws -> String {
        let dir = try DaemonDirectory()
        let out = dir.path + "/out", err = dir.path + "/err"
        let child = try ChildProcess(executable: executable, arguments: arguments,
                                     environment: env.merging(extra) { _, new in new }, stdoutPath: out, stderrPath: err)
        let exited = try await Offload.run { child.waitForExit(timeout: .seconds(60)) }
        if !exited { child.signal(SIGKILL); _ = try await Offload.run { child.waitForExit(timeout: .seconds(10)) } }
        #expect(exited && child.exitStatus == 0, "\(executable) \(arguments): \(dir.readLog(err))")
        return dir.readLog(out)
    }

    static func firstLine(_ s: String) -> String { String(s.split(separator: "\n", omittingEmptySubsequences: false).first ?? "") }

    @Test func theTableIsNotEmptyAndCoversEveryRow() throws {
        let all = try Self.cases()
        #expect(all.count >= 10)
        #expect(all.contains { $0.euid == 0 } && all.contains { $0.euid != 0 })
        #expect(all.contains { $0.env["XDG_RUNTIME_DIR"] == "" } && all.contains { $0.env["XDG_RUNTIME_DIR"] == nil })
        #expect(all.contains { $0.env["A2AL_SOCKET"]?.isEmpty == false })
    }

    @Test func swiftClient() throws {
        for c in try Self.cases() {
            #expect(A2ALSocketPath.resolveDefault(environment: Self.environment(c)) == c.socket, "\(c)")
        }
    }

    @Test func cli() async throws {
        let cli = try CLIProcess.locateExecutable()
        for c in try Self.cases() {
            #expect(Self.firstLine(try await Self.output(cli, ["--print-socket"], env: Self.environment(c))) == c.socket, "\(c)")
        }
    }

    /// The daemon's effective configuration (`a2ald --print-config`) names the socket it would
    /// bind; `A2AL_SOCKET` is its `socket` setting.
    @Test func daemon() async throws {
        let daemon = try DaemonProcess.locateExecutable()
        for c in try Self.cases() {
            let text = try await Self.output(daemon, ["--print-config"], env: Self.environment(c))
            let line = text.split(separator: "\n").first { $0.hasPrefix("socket = ") }
            #expect(line.map { String($0.dropFirst("socket = ".count)) } == c.socket, "\(c): \(text)")
        }
    }

    @Test(.enabled(if: ClientShimTests.hasPython)) func pythonClient() async throws {
        for c in try Self.cases() {
            let got = try await Self.output("/usr/bin/python3", ["-m", "a2al_client", "--print-socket"], env: Self.environment(c),
                                            extra: ["PYTHONPATH": PackageRoot.file("clients/python"), "PYTHONDONTWRITEBYTECODE": "1"])
            #expect(Self.firstLine(got) == c.socket, "\(c)")
        }
    }

    @Test(.enabled(if: ClientShimTests.hasCToolchain)) func cClient() async throws {
        let build = try await ClientShimTests.sh("make -s print_socket", in: "clients/c")
        try #require(build.status == 0, "\(build.output)")
        for c in try Self.cases() {
            let got = try await Self.output(PackageRoot.file("clients/c/print_socket"), [], env: Self.environment(c))
            #expect(Self.firstLine(got) == c.socket, "\(c)")
        }
    }

    @Test func shellClient() async throws {
        for c in try Self.cases() {
            let got = try await Self.output("/bin/sh", [PackageRoot.file("clients/shell/a2al-call"), "--print-socket"],
                                            env: Self.environment(c))
            #expect(Self.firstLine(got) == c.socket, "\(c)")
        }
    }

    /// Without the test override the real effective uid decides, in every implementation.
    @Test func withoutTheOverrideTheRealEffectiveUIDDecides() async throws {
        let euid = geteuid()
        let expected = euid == 0 ? "/run/a2al.sock" : "/tmp/a2al-\(euid)/a2al.sock"
        let env = Self.environment(nil)
        #expect(A2ALSocketPath.resolveDefault(environment: env) == expected)
        #expect(Self.firstLine(try await Self.output(try CLIProcess.locateExecutable(), ["--print-socket"], env: env)) == expected)
        #expect(Self.firstLine(try await Self.output("/bin/sh", [PackageRoot.file("clients/shell/a2al-call"), "--print-socket"],
                                                     env: env)) == expected)
        if ClientShimTests.hasPython {
            let got = try await Self.output("/usr/bin/python3", ["-m", "a2al_client", "--print-socket"], env: env,
                                            extra: ["PYTHONPATH": PackageRoot.file("clients/python"), "PYTHONDONTWRITEBYTECODE": "1"])
            #expect(Self.firstLine(got) == expected)
        }
    }
}
