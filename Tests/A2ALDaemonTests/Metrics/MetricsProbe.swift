import A2ALTestSupport
#if canImport(Glibc)
import Glibc
#endif
import A2ALRPC
import Foundation
import Testing

/// Runs scripts/metrics-probe.py (Python's `prometheus_client` parses the exposition, so the
/// format is checked by an independent implementation) and reads its JSON answer.
enum MetricsProbe {
    static func run(_ mode: String, _ address: String) async throws -> JSONValue {
        let dir = try DaemonDirectory()
        let out = dir.path + "/probe.json", err = dir.path + "/probe.err"
        let child = try ChildProcess(executable: "/bin/sh",
                                     arguments: ["-c", "exec python3 \"$0\" \"$1\" \"$2\"", PackageRoot.file("scripts/metrics-probe.py"),
                                                 mode, address],
                                     environment: ProcessInfo.processInfo.environment, stdoutPath: out, stderrPath: err)
        let exited = try await Offload.run { child.waitForExit(timeout: .seconds(60)) }
        if !exited { child.signal(SIGKILL) }
        guard exited, child.exitStatus == 0 else {
            throw TestFileError("metrics-probe.py \(mode) \(address) \(child.exitDescription): \(dir.readLog(err))")
        }
        return try JSONParser.parse(dir.readLog(out))
    }

    /// The metrics address the daemon logged ("metrics listening addr=127.0.0.1:PORT").
    static func address(of daemon: DaemonProcess) async throws -> String {
        let logged = try await daemon.waitForStderr(containing: "metrics listening")
        try #require(logged, "no \"metrics listening\" line; stderr:\n\(daemon.stderr)")
        let line = try #require(daemon.stderr.split(separator: "\n").first { $0.contains("metrics listening") })
        let field = try #require(line.split(separator: " ").first { $0.hasPrefix("addr=") })
        return String(field.dropFirst("addr=".count))
    }
}

/// One parsed scrape: families by name (counters without their `_total`, as the parser names
/// them) with their samples.
struct Scrape {
    let json: JSONValue

    init(_ json: JSONValue) { self.json = json }

    var families: JSONObject { json["families"]?.objectValue ?? [:] }

    func type(_ family: String) -> String? { json["families"]?[family]?["type"]?.stringValue }

    /// Samples named `name` whose labels include `labels`.
    func samples(_ family: String, _ name: String? = nil, _ labels: [String: String] = [:]) -> [(labels: [String: String], value: Double)] {
        let all = json["families"]?[family]?["samples"]?.arrayValue ?? []
        return all.compactMap { s in
            guard s["name"]?.stringValue == (name ?? family) else { return nil }
            var have: [String: String] = [:]
            for (k, v) in s["labels"]?.objectValue ?? [:] { have[k] = v.stringValue ?? "" }
            guard labels.allSatisfy({ have[$0.key] == $0.value }), let value = s["value"]?.doubleValue else { return nil }
            return (have, value)
        }
    }

    /// The one sample of a family with these labels (counters: the `_total` sample).
    func value(_ family: String, _ labels: [String: String] = [:]) -> Double? {
        let name = type(family) == "counter" ? family + "_total" : family
        let found = samples(family, name, labels)
        return found.count == 1 ? found[0].value : nil
    }

    /// Sum over every sample of a counter family.
    func total(_ family: String) -> Double { samples(family, family + "_total").reduce(0) { $0 + $1.value } }
}
