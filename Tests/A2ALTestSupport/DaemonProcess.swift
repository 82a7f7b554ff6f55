import A2ALRPC
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a daemon could not be started or stopped; the message carries the daemon's stderr.
package struct DaemonProcessError: Error, CustomStringConvertible {
    package let description: String
    package init(description: String) { self.description = description }
}

/// The real `a2ald` executable run as a child process for end-to-end tests.
///
///     let daemon = try await DaemonProcess.start()
///     let info = try await daemon.call("node.info", [:])   // the whole response object
///     try await daemon.stop()
///
/// Each daemon gets a fresh short directory under /tmp holding its data directory (`data`),
/// its socket (`rpc.sock`) and its captured output (`stderr.log`, `stdout.log`). It is started
/// with `--data-dir D --socket S --listen 127.0.0.1:0` plus any extra flags. `restart` runs a
/// new process on the same directory (for persistence and crash tests). The directory is
/// removed when the last `DaemonProcess` using it goes away; a still-running child is killed
/// then, so a failing test does not leak daemons.
package final class DaemonProcess: @unchecked Sendable {
    package let directory: DaemonDirectory
    package let executable: String
    package let arguments: [String]
    package var dataDir: String { directory.dataDir }
    package var socketPath: String { directory.socketPath }

    private let process: ChildProcess
    /// Guards `client`.
    private let lock = NSLock()
    private var client: RPCLineClient?

    package static let defaultStartupTimeout: Duration = .seconds(20)
    package static let defaultStopTimeout: Duration = .seconds(20)

    private init(directory: DaemonDirectory, executable: String, arguments: [String], process: ChildProcess) {
        self.directory = directory
        self.executable = executable
        self.arguments = arguments
        self.process = process
    }

    deinit {
        // A test that failed before stop() must not leave a daemon behind.
        process.signal(SIGKILL)
        client?.close()
    }

    // MARK: Starting

    /// Starts a daemon and waits until its socket accepts a connection.
    /// - Parameters:
    ///   - extraArguments: flags after the standard ones (`--bootstrap`, `--passive`, ...).
    ///   - listen: the `--listen` value; nil leaves the flag out.
    ///   - executable: the binary to run; by default `a2ald` from the build products.
    ///   - directory: reuse a directory (data dir and socket) of an earlier daemon.
    ///   - environment: variables added to the child's environment (after removing any
    ///     inherited `A2AL_*`, so the developer's settings cannot leak into tests).
    ///   - wrapper: a command that runs the daemon in place of itself (`ip netns exec NAME`:
    ///     it execs, so the pid signalled is the daemon's).
    package static func start(extraArguments: [String] = [], listen: String? = "127.0.0.1:0", executable: String? = nil,
                      directory: DaemonDirectory? = nil, environment: [String: String] = [:],
                      wrapper: [String] = [],
                      startupTimeout: Duration = defaultStartupTimeout) async throws -> DaemonProcess {
        let dir = try directory ?? DaemonDirectory()
        let binary = try executable ?? locateExecutable()
        var args = ["--data-dir", dir.dataDir, "--socket", dir.socketPath]
        if let listen { args += ["--listen", listen] }
        args += extraArguments

        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("A2AL_") }
        env.merge(environment) { _, new in new }
        let command = wrapper + [binary] + args
        let p = try ChildProcess(executable: command[0], arguments: Array(command.dropFirst()), environment: env,
                                 stdoutPath: dir.stdoutPath, stderrPath: dir.stderrPath)
        let daemon = DaemonProcess(directory: dir, executable: binary, arguments: args, process: p)
        try await Offload.run { try daemon.waitUntilAccepting(timeout: startupTimeout) }
        return daemon
    }

    /// A new daemon on this one's directory (same data dir and socket); stop this one first.
    package func restart(extraArguments: [String] = [], listen: String? = "127.0.0.1:0",
                 startupTimeout: Duration = defaultStartupTimeout) async throws -> DaemonProcess {
        try await DaemonProcess.start(extraArguments: extraArguments, listen: listen, executable: executable,
                                      directory: directory, startupTimeout: startupTimeout)
    }

    private func waitUntilAccepting(timeout: Duration) throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            if !process.isRunning {
                throw DaemonProcessError(description: "\(commandLine) \(exitDescription) before its socket accepted connections; stderr:\n\(stderr)")
            }
            if let probe = try? RPCLineClient(path: socketPath) {
                probe.close()
                return
            }
            if ContinuousClock.now >= deadline {
                process.signal(SIGKILL)
                _ = process.waitForExit(timeout: .seconds(10))
                throw DaemonProcessError(description: "\(commandLine): socket \(socketPath) did not accept connections within \(timeout); stderr:\n\(stderr)")
            }
            usleep(50_000)
        }
    }

    /// `$A2ALD_BINARY` when set, else the `a2ald` built next to this test binary (the build
    /// products directory), else `.build/debug/a2ald` under the package root.
    package static func locateExecutable() throws -> String {
        let candidates = executableCandidates()
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
        throw DaemonProcessError(description: "no a2ald executable found (looked at \(candidates.joined(separator: ", "))); build it with `swift build --build-tests`")
    }

    package static func executableCandidates() -> [String] {
        var out: [String] = []
        if let env = ProcessInfo.processInfo.environment["A2ALD_BINARY"], !env.isEmpty { out.append(env) }
        // The test binary lives in the products directory (Linux: <dir>/<pkg>PackageTests.xctest;
        // macOS: inside a bundle below it), so look upwards from it for a sibling a2ald.
        let selfPath = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? (CommandLine.arguments.first ?? "")
        var dir = URL(fileURLWithPath: selfPath).deletingLastPathComponent()
        for _ in 0..<4 {
            out.append(dir.appendingPathComponent("a2ald").path)
            dir.deleteLastPathComponent()
        }
        out.append(PackageRoot.file(".build/debug/a2ald"))
        return out
    }

    // MARK: Talking to it

    /// One call on the harness's own connection (opened on first use); returns the full
    /// response object, `result` or `error`.
    package func call(_ method: String, _ params: JSONObject = JSONObject(), timeout: Duration = RPCLineClient.defaultTimeout) async throws -> JSONValue {
        let c = try sharedClient()
        return try await Offload.run { try c.call(method, params, timeout: timeout) }
    }

    /// The `result` of a call that must succeed (an error response throws with its message).
    @discardableResult
    package func result(_ method: String, _ params: JSONObject = JSONObject(), timeout: Duration = RPCLineClient.defaultTimeout) async throws -> JSONValue {
        let c = try sharedClient()
        return try await Offload.run { try c.result(method, params, timeout: timeout) }
    }

    /// A new, separate connection to the daemon.
    package func connect() throws -> RPCLineClient { try RPCLineClient(path: socketPath) }

    private func sharedClient() throws -> RPCLineClient {
        lock.lock(); defer { lock.unlock() }
        if let client { return client }
        let c = try connect()
        client = c
        return c
    }

    // MARK: Output and state

    /// Everything the daemon wrote to stderr so far.
    package var stderr: String { directory.readLog(directory.stderrPath) }
    package var stdout: String { directory.readLog(directory.stdoutPath) }
    /// Waits until stderr contains `text` (a log line the daemon writes once something
    /// happened); false when `timeout` passes first or the daemon exits.
    package func waitForStderr(containing text: String, timeout: Duration = .seconds(20)) async throws -> Bool {
        try await Offload.run {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if self.stderr.contains(text) { return true }
                if !self.process.isRunning { return self.stderr.contains(text) }
                usleep(50_000)
            }
            return false
        }
    }

    package var pid: Int32 { process.pid }
    package var isRunning: Bool { process.isRunning }
    /// The exit status once the daemon has exited normally (nil while running or if killed).
    package var exitStatus: Int32? { process.exitStatus }

    private var commandLine: String { ([executable] + arguments).joined(separator: " ") }

    /// "exited with status N", "was killed by signal N" or "is still running".
    package var exitDescription: String { process.exitDescription }

    // MARK: Stopping

    /// SIGTERM, then waits for the exit; returns the exit status. Throws when the daemon does
    /// not exit within `timeout` (it is then killed) or dies of a signal: a clean shutdown is
    /// part of the contract.
    @discardableResult
    package func stop(timeout: Duration = defaultStopTimeout) async throws -> Int32 {
        closeClient()
        process.signal(SIGTERM)
        let exited = try await Offload.run { self.process.waitForExit(timeout: timeout) }
        guard exited else {
            process.signal(SIGKILL)
            _ = try await Offload.run { self.process.waitForExit(timeout: .seconds(10)) }
            throw DaemonProcessError(description: "\(commandLine) did not exit within \(timeout) of SIGTERM; killed. stderr:\n\(stderr)")
        }
        guard let status = process.exitStatus else {
            throw DaemonProcessError(description: "\(commandLine) \(exitDescription) after SIGTERM; stderr:\n\(stderr)")
        }
        return status
    }

    /// SIGKILL (a crash at an arbitrary moment) and waits for the process to be gone.
    package func kill9() async throws {
        closeClient()
        process.signal(SIGKILL)
        let gone = try await Offload.run { self.process.waitForExit(timeout: .seconds(10)) }
        guard gone else { throw DaemonProcessError(description: "\(commandLine) survived SIGKILL for 10 s") }
    }

    private func closeClient() {
        lock.lock(); defer { lock.unlock() }
        client?.close()
        client = nil
    }
}

/// A short directory under /tmp for one daemon (Unix socket paths are limited to 107 bytes),
/// removed with everything in it when the last reference goes away.
package final class DaemonDirectory: @unchecked Sendable {
    package let path: String
    package var dataDir: String { path + "/data" }
    package var socketPath: String { path + "/rpc.sock" }
    package var stderrPath: String { path + "/stderr.log" }
    package var stdoutPath: String { path + "/stdout.log" }

    package init() throws {
        var template = Array("/tmp/a2ald-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buf -> UnsafeMutablePointer<CChar>? in
            guard let base = buf.baseAddress else { return nil }
            return mkdtemp(base)
        }
        guard let made else {
            throw DaemonProcessError(description: "mkdtemp under /tmp failed: \(String(cString: strerror(errno)))")
        }
        path = String(cString: made)
        // The daemon wants its data directory private (0700); create it so.
        guard mkdir(path + "/data", 0o700) == 0 else {
            throw DaemonProcessError(description: "cannot create \(path)/data: \(String(cString: strerror(errno)))")
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    package func readLog(_ file: String) -> String {
        FileManager.default.contents(atPath: file).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}
