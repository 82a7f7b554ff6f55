import A2ALTestSupport
import A2ALRPC
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What the daemon writes to stderr: `<N>` syslog priorities and no timestamps when stderr is
/// the journal (JOURNAL_STREAM names it), one JSON object per line with `--log-format json`,
/// and startup errors that name the address (docs/systemd.md, "Logs").
@Suite(.serialized) struct LogOutputEndToEndTests {
    @Test func journalLinesCarryPrioritiesWhenJournalStreamIsStderr() async throws {
        let directory = try DaemonDirectory()
        // The file the daemon's stderr will be (appended to), made first to learn its dev:ino.
        #expect(FileManager.default.createFile(atPath: directory.stderrPath, contents: nil))
        var info = stat()
        #expect(stat(directory.stderrPath, &info) == 0)
        let stream = "\(info.st_dev):\(info.st_ino)"
        let d = try await DaemonProcess.start(directory: directory, environment: ["JOURNAL_STREAM": stream])
        #expect(try await d.waitForStderr(containing: "a2ald started"))
        #expect(try await d.stop() == 0)
        let lines = d.stderr.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("<6>info a2ald: a2ald started ") }, "stderr:\n\(d.stderr)")
        #expect(lines.contains { $0.hasPrefix("<6>info a2ald: received SIGTERM") }, "stderr:\n\(d.stderr)")
        #expect(lines.allSatisfy { $0.range(of: #"^<[2-7]>"#, options: .regularExpression) != nil },
                "every line needs a priority and no timestamp:\n\(d.stderr)")
    }

    @Test func noPrioritiesWhenJournalStreamNamesAnotherFile() async throws {
        let d = try await DaemonProcess.start(environment: ["JOURNAL_STREAM": "1:1"])
        #expect(try await d.waitForStderr(containing: "a2ald started"))
        #expect(try await d.stop() == 0)
        let started = d.stderr.split(separator: "\n").first { $0.contains("a2ald started") } ?? ""
        #expect(started.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info a2ald: a2ald started"#,
                              options: .regularExpression) != nil, "line: \(started)")
    }

    @Test func jsonLinesParse() async throws {
        let d = try await DaemonProcess.start(extraArguments: ["--log-format", "json"])
        #expect(try await d.waitForStderr(containing: "a2ald started"))
        #expect(try await d.stop() == 0)
        let lines = d.stderr.split(separator: "\n")
        #expect(lines.count >= 3, "stderr:\n\(d.stderr)")
        var messages: [String] = []
        for line in lines {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object != nil, "not a JSON object: \(line)")
            guard let object else { continue }
            #expect(Set(object.keys) == ["time", "level", "label", "message", "metadata"], "keys of \(line)")
            #expect(object["metadata"] is [String: Any], "metadata of \(line)")
            messages.append(object["message"] as? String ?? "")
        }
        let started = lines.first { $0.contains("\"a2ald started\"") }.flatMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect((started?["metadata"] as? [String: Any])?["socket"] as? String == d.socketPath, "\(String(describing: started))")
        #expect(started?["level"] as? String == "info")
        #expect(messages.contains("received SIGTERM"), "\(messages)")
    }

    @Test func aUDPPortClashNamesTheAddress() async throws {
        let taken = try SilentUDPPeer()
        let scratch = try DaemonDirectory()
        let run = try await A2ALDInvocation.run(
            ["--data-dir", scratch.dataDir, "--socket", scratch.socketPath, "--listen", taken.addr], in: scratch)
        #expect(run.status == 1, "the daemon \(run.outcome)")
        #expect(run.stderr.contains("cannot listen on UDP \(taken.addr): address already in use"), "stderr:\n\(run.stderr)")
        #expect(!E2EFileSystem.exists(scratch.socketPath))
    }

    @Test func aDebugHTTPPortClashNamesTheAddress() async throws {
        let taken = try TCPListener()
        let scratch = try DaemonDirectory()
        let run = try await A2ALDInvocation.run(
            ["--data-dir", scratch.dataDir, "--socket", scratch.socketPath, "--listen", "127.0.0.1:0",
             "--debug-http", taken.addr], in: scratch)
        #expect(run.status == 1, "the daemon \(run.outcome)")
        #expect(run.stderr.contains("cannot serve debug HTTP on \(taken.addr): address already in use"), "stderr:\n\(run.stderr)")
        // Whatever was started before the failure was stopped again: no socket left behind.
        #expect(!E2EFileSystem.exists(scratch.socketPath))
    }
}

/// A TCP socket listening on 127.0.0.1 (any free port), holding the port for a clash.
private final class TCPListener {
    let fd: Int32
    let addr: String

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFileError("socket(): \(String(cString: strerror(errno)))") }
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else {
            let e = errno
            _ = systemClose(fd)
            throw TestFileError("cannot listen on 127.0.0.1: \(String(cString: strerror(e)))")
        }
        self.fd = fd
        addr = "127.0.0.1:\(UInt16(bigEndian: sin.sin_port))"
    }

    deinit { _ = systemClose(fd) }
}
