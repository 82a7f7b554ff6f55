import A2ALRPC
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How one run of `a2al-cli` ended, with everything it wrote.
package struct CLIRun: CustomStringConvertible {
    package let arguments: [String]
    /// The exit status; nil when a signal ended the process.
    package let status: Int32?
    /// The signal that ended the process, if one did.
    package let signal: Int32?
    package let stdout: String
    package let stderr: String

    /// stdout parsed as one JSON value (pretty or raw).
    package func json() throws -> JSONValue {
        do {
            return try JSONParser.parse(stdout)
        } catch {
            throw TestFileError("a2al-cli stdout is not JSON (\(error)): \(self)")
        }
    }

    /// The lines of stdout, without the trailing empty one.
    package var stdoutLines: [String] {
        var lines = stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    package var description: String {
        let how = status.map { "exited \($0)" } ?? signal.map { "killed by signal \($0)" } ?? "unknown end"
        return "a2al-cli \(arguments.joined(separator: " ")) \(how)\n--- stdout:\n\(stdout)--- stderr:\n\(stderr)"
    }
}

/// The real `a2al-cli` executable run as a child process (through `ChildProcess`: default
/// signal dispositions, no inherited descriptors), its stdout and stderr captured to files.
///
///     let run = try await CLIProcess.run(["--socket", daemon.socketPath, "node.info"])
///     #expect(run.status == 0, "\(run)")
///
/// `start` leaves it running (subscriptions) for `signal` and `wait`.
package final class CLIProcess: @unchecked Sendable {
    package let arguments: [String]
    private let directory: DaemonDirectory
    private let child: ChildProcess
    private var stdoutPath: String { directory.path + "/cli.out" }
    private var stderrPath: String { directory.path + "/cli.err" }

    package static let defaultTimeout: Duration = .seconds(60)

    /// Starts `a2al-cli arguments`.
    /// - Parameters:
    ///   - stdin: text for standard input; nil gives it /dev/null.
    ///   - environment: variables added to the child's environment, after removing any
    ///     inherited `A2AL_*` (so the developer's `A2AL_SOCKET` cannot leak into tests).
    package init(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws {
        self.arguments = arguments
        directory = try DaemonDirectory()
        let binary = try Self.locateExecutable()
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("A2AL_") }
        env.merge(environment) { _, new in new }
        let out = directory.path + "/cli.out"
        let err = directory.path + "/cli.err"
        if let stdin {
            // ChildProcess always reads /dev/null; a shell that redirects and then execs the
            // CLI keeps the same pid, so signals still reach the CLI itself.
            let input = directory.path + "/cli.in"
            guard FileManager.default.createFile(atPath: input, contents: Data(stdin.utf8)) else {
                throw TestFileError("cannot write \(input)")
            }
            child = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "exec \"$@\" < '\(input)'", "sh", binary] + arguments,
                                     environment: env, stdoutPath: out, stderrPath: err)
        } else {
            child = try ChildProcess(executable: binary, arguments: arguments, environment: env,
                                     stdoutPath: out, stderrPath: err)
        }
    }

    /// Runs `a2al-cli arguments` to its end; throws when it runs longer than `timeout` (it is
    /// then killed) so a hanging CLI fails the test instead of hanging it.
    package static func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
                    timeout: Duration = defaultTimeout) async throws -> CLIRun {
        let p = try CLIProcess(arguments, stdin: stdin, environment: environment)
        return try await p.wait(timeout: timeout)
    }

    /// Starts `a2al-cli arguments` and leaves it running.
    package static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> CLIProcess {
        try CLIProcess(arguments, environment: environment)
    }

    package var pid: Int32 { child.pid }
    package var isRunning: Bool { child.isRunning }
    package var stdout: String { directory.readLog(stdoutPath) }
    package var stderr: String { directory.readLog(stderrPath) }

    package func signal(_ sig: Int32) { child.signal(sig) }

    /// Waits for the end; after `timeout` kills the CLI and throws with what it wrote.
    package func wait(timeout: Duration = defaultTimeout) async throws -> CLIRun {
        let exited = try await Offload.run { self.child.waitForExit(timeout: timeout) }
        guard exited else {
            child.signal(SIGKILL)
            _ = try await Offload.run { self.child.waitForExit(timeout: .seconds(10)) }
            throw DaemonProcessError(description: "a2al-cli \(arguments.joined(separator: " ")) did not exit within \(timeout); killed. stdout:\n\(stdout)\nstderr:\n\(stderr)")
        }
        return CLIRun(arguments: arguments, status: child.exitStatus, signal: child.terminatingSignal,
                      stdout: stdout, stderr: stderr)
    }

    /// `$A2AL_CLI_BINARY` when set, else the `a2al-cli` next to the `a2ald` the daemon tests
    /// use (the build products directory), else `.build/debug/a2al-cli`.
    package static func locateExecutable() throws -> String {
        let candidates = executableCandidates()
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
        throw DaemonProcessError(description: "no a2al-cli executable found (looked at \(candidates.joined(separator: ", "))); build it with `swift build --build-tests`")
    }

    package static func executableCandidates() -> [String] {
        var out: [String] = []
        if let env = ProcessInfo.processInfo.environment["A2AL_CLI_BINARY"], !env.isEmpty { out.append(env) }
        // DaemonProcess looks upwards from the test binary for a2ald; a2al-cli is its sibling.
        for daemon in DaemonProcess.executableCandidates() where daemon.hasSuffix("/a2ald") {
            out.append(String(daemon.dropLast("a2ald".count)) + "a2al-cli")
        }
        return out
    }
}
