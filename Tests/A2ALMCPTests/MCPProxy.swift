import A2ALTestSupport
import A2ALRPC
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The official MCP Python client (`mcp` on PyPI) driving real `a2al-mcp` processes, through
/// clients/mcp/tests/mcp_proxy.py: one JSON request per line in, one answer per line out,
/// matched by id, so calls can overlap (a `wait_for_event` while the event is triggered).
///
///     let proxy = try MCPProxy()
///     try await proxy.open("a", ["--socket", daemon.socketPath])
///     let tools = try await proxy.listTools("a")
///     let r = try await proxy.call("a", "node_info")
///     try await proxy.finish()          // closes every session; the servers exit on EOF
final class MCPProxy: @unchecked Sendable {
    private struct State {
        var nextID: Int64 = 1
        var waiting: [Int64: CheckedContinuation<JSONValue, any Error>] = [:]
        var ended: String?
    }

    private let process = Process()
    private let input: FileHandle
    private let state = Mutex(State())
    private let directory: DaemonDirectory
    private var logPath: String { directory.path + "/mcp-stderr.log" }

    static let defaultTimeout: Duration = .seconds(90)

    init() throws {
        directory = try DaemonDirectory()
        guard FileManager.default.createFile(atPath: directory.path + "/mcp-stderr.log", contents: nil),
              let log = FileHandle(forWritingAtPath: directory.path + "/mcp-stderr.log") else {
            throw TestFileError("cannot create \(directory.path)/mcp-stderr.log")
        }
        let stdinPipe = Pipe()
        let stdoutPipe = Pipe()
        // The python3 on PATH: the one scripts/test.sh installs scripts/test-requirements.txt for.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // The servers' stderr goes to the same log (the script's argument), named in failures.
        process.arguments = ["python3", PackageRoot.file("clients/mcp/tests/mcp_proxy.py"), directory.path + "/mcp-stderr.log"]
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        process.standardError = log
        try process.run()
        input = stdinPipe.fileHandleForWriting
        let output = stdoutPipe.fileHandleForReading
        DispatchQueue.global().async { [weak self] in
            var buffer = Data()
            while true {
                let chunk = output.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                while let nl = buffer.firstIndex(of: 0x0A) {
                    let line = buffer[buffer.startIndex..<nl]
                    buffer = Data(buffer[buffer.index(after: nl)...])
                    self?.deliver(line)
                }
            }
            self?.endAll("the MCP client process closed its output")
        }
    }

    deinit {
        // A failed test must not leave the client (and, through it, servers) behind.
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// `a2al-mcp` from the build products, as the CLI tests find `a2al-cli`.
    static func serverExecutable() throws -> String {
        var candidates: [String] = []
        if let env = ProcessInfo.processInfo.environment["A2AL_MCP_BINARY"], !env.isEmpty { candidates.append(env) }
        for daemon in DaemonProcess.executableCandidates() where daemon.hasSuffix("/a2ald") {
            candidates.append(String(daemon.dropLast("a2ald".count)) + "a2al-mcp")
        }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
        throw TestFileError("no a2al-mcp executable found (looked at \(candidates.joined(separator: ", "))); build it with `swift build --build-tests`")
    }

    /// Everything the client and the servers wrote to stderr.
    var stderr: String { directory.readLog(logPath) }

    // MARK: Requests

    /// Starts `a2al-mcp arguments` as session `name` and initializes it; returns the
    /// initialize result.
    @discardableResult
    func open(_ name: String, _ arguments: [String]) async throws -> JSONValue {
        let command = [try Self.serverExecutable()] + arguments
        return try await value(["op": "open", "name": .string(name), "command": .strings(command)], "open \(name)")
    }

    /// The tools session `name` lists.
    func listTools(_ name: String) async throws -> [JSONValue] {
        let result = try await value(["op": "list", "name": .string(name)], "tools/list on \(name)")
        guard let tools = result["tools"]?.arrayValue else { throw TestFileError("tools/list answer without tools: \(result.compactText)") }
        return tools
    }

    /// The raw answer of tools/list: `result` or `exception`.
    func listAnswer(_ name: String) async throws -> JSONValue {
        try await send(["op": "list", "name": .string(name)])
    }

    /// Calls `tool` on session `name`.
    func call(_ name: String, _ tool: String, _ args: JSONObject = JSONObject(), timeout: Duration = defaultTimeout) async throws -> MCPToolResult {
        let result = try await value(["op": "call", "name": .string(name), "tool": .string(tool), "args": .object(args)],
                                     "\(tool) on \(name)", timeout: timeout)
        return try MCPToolResult(result, tool: tool)
    }

    /// Closes stdin (every session ends, each server sees EOF) and waits for a clean exit.
    func finish(timeout: Duration = .seconds(30)) async throws {
        try input.close()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline {
                kill(process.processIdentifier, SIGKILL)
                throw TestFileError("the MCP client did not exit within \(timeout) of its input closing; stderr:\n\(stderr)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        guard process.terminationStatus == 0 else {
            throw TestFileError("the MCP client exited with status \(process.terminationStatus); stderr:\n\(stderr)")
        }
    }

    /// The `result` of a request, throwing with the reported exception otherwise.
    private func value(_ request: JSONObject, _ what: String, timeout: Duration = defaultTimeout) async throws -> JSONValue {
        let answer = try await send(request, timeout: timeout)
        if let result = answer["result"] { return result }
        throw TestFileError("\(what) failed: \(answer["exception"]?.stringValue ?? answer.compactText); stderr:\n\(stderr)")
    }

    /// One request; the whole answer line (`result` or `exception`).
    func send(_ request: JSONObject, timeout: Duration = defaultTimeout) async throws -> JSONValue {
        let id = state.withLock { s in
            defer { s.nextID += 1 }
            return s.nextID
        }
        var req = request
        req["id"] = .int(id)
        var line = JSONWriter.write(.object(req))
        line.append(0x0A)
        let timer = Task { [weak self] in
            try await Task.sleep(for: timeout)
            self?.fail(id, TestFileError("\(request.compactText): no answer within \(timeout)"))
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            let ended = state.withLock { s -> String? in
                if let e = s.ended { return e }
                s.waiting[id] = continuation
                return nil
            }
            if let ended {
                continuation.resume(throwing: TestFileError("\(ended); stderr:\n\(stderr)"))
                return
            }
            do {
                try input.write(contentsOf: line)
            } catch {
                fail(id, TestFileError("cannot write to the MCP client: \(error)"))
            }
        }
    }

    private func deliver(_ line: Data) {
        guard let answer = try? JSONParser.parse([UInt8](line)), let id = answer["id"]?.intValue else {
            endAll("the MCP client wrote a line that is not an answer: \(String(decoding: line, as: UTF8.self))")
            return
        }
        let c = state.withLock { $0.waiting.removeValue(forKey: id) }
        c?.resume(returning: answer)
    }

    private func fail(_ id: Int64, _ error: any Error) {
        let c = state.withLock { $0.waiting.removeValue(forKey: id) }
        c?.resume(throwing: error)
    }

    private func endAll(_ why: String) {
        let all = state.withLock { s -> [CheckedContinuation<JSONValue, any Error>] in
            s.ended = s.ended ?? why
            defer { s.waiting.removeAll() }
            return Array(s.waiting.values)
        }
        for c in all { c.resume(throwing: TestFileError("\(why); stderr:\n\(stderr)")) }
    }
}

/// A tools/call result as the Python client parsed it.
struct MCPToolResult: CustomStringConvertible {
    let isError: Bool
    /// The first text content.
    let text: String
    /// `text` parsed as JSON (a2al-mcp's text content is compact JSON).
    let json: JSONValue
    let structured: JSONValue?

    init(_ result: JSONValue, tool: String) throws {
        isError = result["isError"]?.boolValue ?? false
        guard let first = result["content"]?.arrayValue?.first, first.str("type") == "text", let text = first["text"]?.stringValue else {
            throw TestFileError("\(tool): result without text content: \(result.compactText)")
        }
        self.text = text
        do {
            json = try JSONParser.parse(text)
        } catch {
            throw TestFileError("\(tool): text content is not JSON (\(error)): \(text)")
        }
        structured = result["structuredContent"]
    }

    var description: String { (isError ? "isError " : "") + text }
}
