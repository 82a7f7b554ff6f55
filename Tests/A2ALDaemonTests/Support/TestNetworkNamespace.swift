import A2ALTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A Linux network namespace of the test's own, for running a daemon under `ip netns exec` with
/// its own `/etc/resolv.conf` (iproute2 bind-mounts `/etc/netns/NAME/resolv.conf` over it).
/// Only loopback exists in it, so nothing a daemon there sends can leave the machine.
///
/// Needs root and `ip` (iproute2); `with` prints why and skips its body otherwise, so the tests
/// pass on an unprivileged developer machine and run in CI (root).
struct TestNetworkNamespace {
    let name: String

    /// `ip netns exec NAME`, to put before a command.
    var exec: [String] { [Self.ip ?? "ip", "netns", "exec", name] }

    static let ip = installed("ip")

    static func installed(_ tool: String) -> String? {
        let paths: [String] = ["/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/"].map { $0 + tool }
        return paths.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static var unavailableReason: String? {
        if geteuid() != 0 { return "not root" }
        if ip == nil { return "no `ip` command (iproute2)" }
        return nil
    }

    /// Runs `body` in a fresh namespace whose resolv.conf is `resolvConf`, then always removes
    /// both (also when `body` throws). Returns nil, printing why, when namespaces are unavailable.
    static func with<T>(_ label: String, resolvConf: String,
                        _ body: (TestNetworkNamespace) async throws -> T) async throws -> T? {
        if let reason = unavailableReason {
            print("skipping \(label): \(reason)")
            return nil
        }
        let ns = TestNetworkNamespace(name: "a2al-\(label.prefix(12))-\(getpid())")
        let etc = "/etc/netns/\(ns.name)"
        guard ns.ip(["netns", "add", ns.name]) == 0 else { throw DaemonProcessError(description: "ip netns add \(ns.name) failed") }
        defer {
            _ = ns.ip(["netns", "delete", ns.name])
            try? FileManager.default.removeItem(atPath: etc)
        }
        try FileManager.default.createDirectory(atPath: etc, withIntermediateDirectories: true)
        try resolvConf.write(toFile: etc + "/resolv.conf", atomically: true, encoding: .utf8)
        guard ns.ip(["-n", ns.name, "link", "set", "lo", "up"]) == 0 else { throw DaemonProcessError(description: "lo up failed") }
        return try await body(ns)
    }

    func ip(_ arguments: [String]) -> Int32 { run([Self.ip ?? "ip"] + arguments) }

    /// Runs a command to completion (output discarded); its exit status, -1 if it did not start.
    func run(_ command: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: command[0])
        p.arguments = Array(command.dropFirst())
        p.standardOutput = FileHandle.nullDevice
        do { try p.run() } catch { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }
}
