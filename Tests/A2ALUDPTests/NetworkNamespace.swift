#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix
import Synchronization

/// A Linux network namespace of the test's own, with only loopback up (no route anywhere else),
/// and a one-thread event loop group whose thread lives in it. Sockets the transport makes on
/// that loop are the namespace's, so a datagram to 8.8.8.8 fails there with ENETUNREACH and can
/// never leave the machine.
///
/// Needs root and `ip` (iproute2); `make` returns nil with the reason printed otherwise, so the
/// tests skip on a developer's unprivileged machine and run in CI (root).
final class NetworkNamespace: Sendable {
    let name: String
    let group: MultiThreadedEventLoopGroup

    private init(name: String, group: MultiThreadedEventLoopGroup) {
        self.name = name
        self.group = group
    }

    private static let serial = Atomic<Int>(0)

    /// Why namespace tests cannot run here, or nil when they can.
    static var unavailableReason: String? {
        #if os(Linux)
        if geteuid() != 0 { return "not root" }
        if ipCommand == nil { return "no `ip` command (iproute2)" }
        return nil
        #else
        return "network namespaces are Linux-only"
        #endif
    }

    static let ipCommand: String? = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first { access($0, X_OK) == 0 }

    /// Runs `body` with a fresh namespace and always removes it afterwards, also when `body`
    /// throws. Prints why and returns nil without running `body` when namespaces are unavailable.
    static func with<T>(_ label: String, setUp: [[String]] = [],
                        _ body: (NetworkNamespace) async throws -> T) async throws -> T? {
        if let reason = unavailableReason {
            print("skipping \(label): \(reason)")
            return nil
        }
        let name = "a2al-\(label.prefix(12))-\(getpid())-\(serial.add(1, ordering: .relaxed).newValue)"
        guard run(["netns", "add", name]) == 0 else { throw NamespaceError("ip netns add \(name) failed") }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let ns = NetworkNamespace(name: name, group: group)
        do {
            guard run(["-n", name, "link", "set", "lo", "up"]) == 0 else { throw NamespaceError("lo up failed") }
            for command in setUp {
                guard run(["-n", name] + command) == 0 else { throw NamespaceError("ip -n \(name) \(command) failed") }
            }
            try await ns.enter()
            let result = try await body(ns)
            await ns.tearDown()
            return result
        } catch {
            await ns.tearDown()
            throw error
        }
    }

    /// Moves the group's thread into the namespace (setns is per thread for network namespaces).
    private func enter() async throws {
        let path = "/run/netns/\(name)"
        try await group.next().submit {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw NamespaceError("open \(path): errno \(errno)") }
            defer { close(fd) }
            guard let setns = NetworkNamespace.setns else { throw NamespaceError("setns is not available") }
            guard setns(fd, NetworkNamespace.cloneNewNet) == 0 else { throw NamespaceError("setns: errno \(errno)") }
        }.get()
    }

    /// glibc declares setns(2) only under _GNU_SOURCE, which Swift's Glibc module does not set,
    /// so it is looked up by name (as ChildProcess does for posix_spawn_file_actions_addclosefrom_np).
    private typealias SetNS = @convention(c) (Int32, Int32) -> Int32
    private static let setns: SetNS? = dlsym(nil, "setns").map { unsafeBitCast($0, to: SetNS.self) }
    /// CLONE_NEWNET from <sched.h>.
    private static let cloneNewNet: Int32 = 0x4000_0000

    private func tearDown() async {
        try? await group.shutdownGracefully()
        _ = Self.run(["netns", "delete", name])
    }

    /// Reads a file as the namespace sees it (`/proc/thread-self/net/...` from its thread).
    func readOnLoop(_ path: String) async throws -> String {
        try await group.next().submit { readWholeFile(path) ?? "" }.get()
    }

    /// Runs `ip ARGS` and returns its exit status (-1 when it could not be started).
    @discardableResult
    static func run(_ arguments: [String]) -> Int32 {
        guard let ip = ipCommand else { return -1 }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        let argv = ([ip] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, ip, &actions, nil, argv, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }
}

struct NamespaceError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The whole of a small text file (a /proc file), nil when it cannot be opened.
func readWholeFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        bytes += chunk[0..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}
