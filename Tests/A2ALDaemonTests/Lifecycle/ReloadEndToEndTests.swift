import A2ALTestSupport
import A2ALRPC
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// SIGHUP re-reads the config file: what can change live does, without dropping the node or
/// open JSON-RPC connections; what cannot is logged as needing a restart; a bad file changes
/// nothing (docs/systemd.md, "Reloading").
@Suite(.serialized) struct ReloadEndToEndTests {
    @Test func sighupRaisesTheLogLevelLiveAndKeepsConnections() async throws {
        let directory = try DaemonDirectory()
        let config = directory.path + "/a2ald.json"
        try write(#"{"log_level": "info", "max_connections": 64}"#, to: config)
        let d = try await DaemonProcess.start(extraArguments: ["--config", config], directory: directory)
        let kept = try d.connect()
        defer { kept.close() }
        let before = try await Offload.run { try kept.result("node.info") }
        #expect(!d.stderr.contains("rpc client connected"), "debug lines at level info:\n\(d.stderr)")

        try write(#"{"log_level": "debug", "max_connections": 32}"#, to: config)
        #expect(kill(d.pid, SIGHUP) == 0)
        #expect(try await d.waitForStderr(containing: "configuration reloaded"), "stderr:\n\(d.stderr)")
        #expect(d.stderr.contains("max_connections changed; it takes effect after a restart"), "stderr:\n\(d.stderr)")

        // A debug line the daemon writes for every new client now appears.
        let fresh = try d.connect()
        defer { fresh.close() }
        _ = try await Offload.run { try fresh.result("node.info") }
        #expect(try await d.waitForStderr(containing: "rpc client connected"), "no debug line after the reload:\n\(d.stderr)")

        // Same node, and the connection opened before the reload still answers.
        let after = try await Offload.run { try kept.result("node.info") }
        #expect(after.str("address") == before.str("address"))
        #expect(try await d.stop() == 0)
    }

    @Test func aBadConfigFileOnReloadKeepsTheRunningConfiguration() async throws {
        let directory = try DaemonDirectory()
        let config = directory.path + "/a2ald.json"
        try write(#"{"log_level": "info"}"#, to: config)
        let d = try await DaemonProcess.start(extraArguments: ["--config", config], directory: directory)
        let kept = try d.connect()
        defer { kept.close() }

        try write(#"{"log_level": "loud"}"#, to: config)
        #expect(kill(d.pid, SIGHUP) == 0)
        #expect(try await d.waitForStderr(containing: "configuration not reloaded"), "stderr:\n\(d.stderr)")
        let line = d.stderr.split(separator: "\n").first { $0.contains("configuration not reloaded") } ?? ""
        #expect(line.contains(config) && line.contains("log_level") && line.contains("loud"),
                "the error should name the file, the key and the value: \(line)")
        #expect(line.hasPrefix("20") && line.contains(" error a2ald:"), "logged as an error: \(line)")

        // Still serving, still at level info.
        let fresh = try d.connect()
        defer { fresh.close() }
        _ = try await Offload.run { try fresh.result("node.info") }
        _ = try await Offload.run { try kept.result("node.info") }
        #expect(!d.stderr.contains("rpc client connected"))
        #expect(d.isRunning)
        #expect(try await d.stop() == 0)
    }

    private func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }
}
