import A2ALRPC
// Only test builds have swift-testing; a plain `swift build` compiles this target too.
#if canImport(Testing)
import Testing

extension DaemonProcess {
    /// Two daemons, B bootstrapped from A, each knowing the other.
    package static func startPair() async throws -> (a: DaemonProcess, b: DaemonProcess) {
        let a = try await DaemonProcess.start()
        let aUDP = try #require(try await a.result("node.info")["listen_addrs"]?.arrayValue?.first?.stringValue)
        let b = try await DaemonProcess.start(extraArguments: ["--bootstrap", aUDP])
        try await waitFor("A and B to know each other") {
            let aPeers = try await a.result("node.stats")["routing"]?["total_peers"]?.intValue ?? 0
            let bPeers = try await b.result("node.stats")["routing"]?["total_peers"]?.intValue ?? 0
            return aPeers > 0 && bPeers > 0
        }
        return (a, b)
    }

    /// Re-checks `condition` every 100 ms until it holds; fails after `timeout`.
    package static func waitFor(_ what: String, timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ContractFailure(description: "\(what): not within \(timeout)")
    }
}
#endif
