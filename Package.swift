// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "a2al-swift",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "A2ALDHT", targets: ["A2ALDHT"]),
        .library(name: "A2ALUDP", targets: ["A2ALUDP"]),
        .library(name: "A2ALCore", targets: ["A2ALCore"]),
        .library(name: "A2ALProtocol", targets: ["A2ALProtocol"]),
        .executable(name: "a2al-bench-wire", targets: ["a2al-bench-wire"]),
        .executable(name: "a2al-bench-node", targets: ["a2al-bench-node"]),
        .executable(name: "a2al-sim", targets: ["a2al-sim"]),
        .executable(name: "a2al-bench-rpc", targets: ["a2al-bench-rpc"]),
        .executable(name: "a2ald", targets: ["a2ald"]),
        .library(name: "A2ALRPC", targets: ["A2ALRPC"]),
        .library(name: "A2ALClient", targets: ["A2ALClient"]),
        .executable(name: "a2al-cli", targets: ["a2al-cli"]),
        .executable(name: "a2al-mcp", targets: ["a2al-mcp"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk.git", from: "0.12.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // System libraries from Debian: libsodium-dev and libsecp256k1-dev.
        .target(name: "CLinuxEvents"),
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium",
                       providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(name: "CSecp256k1", pkgConfig: "libsecp256k1",
                       providers: [.apt(["libsecp256k1-dev"])]),

        // Threads and the lock of the project's own (docs/architecture.md, "Locks"); no dependencies.
        .target(name: "A2ALThreads"),
        // Identity, text forms, deterministic CBOR, crypto primitives, key store.
        .target(name: "A2ALCore", dependencies: ["A2ALThreads", "CSodium", "CSecp256k1"],
                linkerSettings: [.linkedLibrary("m")]),
        // Messages, signed records, payloads, mailbox, delegation, authority policy.
        .target(name: "A2ALProtocol", dependencies: ["A2ALCore"]),
        // The DHT node: routing table, record store, peer health, RPCs, inbound handling. Time and
        // transport are injected; nothing here touches a socket.
        .target(name: "A2ALDHT", dependencies: ["A2ALProtocol", "A2ALThreads", .product(name: "Logging", package: "swift-log"),
                                                .product(name: "HeapModule", package: "swift-collections")]),
        // Doubles that stand in for the network and the clock: the in-process datagram network,
        // a clock that moves only when told, a seedable generator. For tests, benchmarks and the
        // many-node simulator; the node and the daemon never link it.
        .target(name: "A2ALSimulation", dependencies: ["A2ALDHT", "A2ALProtocol",
                                                       .product(name: "HeapModule", package: "swift-collections")]),
        // Channel plumbing shared by the project's listeners: connection registry and drain, the
        // event loop choice, the one HTTP/1 request reader of the debug and metrics listeners.
        .target(name: "A2ALNIOSupport", dependencies: [
            "A2ALThreads",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        // UDP transport on SwiftNIO.
        .target(name: "A2ALUDP", dependencies: [
            "A2ALDHT", "A2ALThreads",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The debug HTTP listener (--debug-http): the node's internals as the Go reference writes them.
        .target(name: "A2ALDebugHTTP", dependencies: [
            "A2ALDHT", "A2ALNIOSupport", "A2ALRPC",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),

        // JSON values, JSON-RPC 2.0 sessions, method table, subscriptions. No I/O of its own.
        .target(name: "A2ALRPC", dependencies: ["A2ALThreads"]),
        // The JSON-RPC Unix socket (docs/architecture.md, "The JSON-RPC socket"): epoll loop
        // threads, framing, output budgets, the socket file, systemd's socket. Knows lines, not
        // JSON-RPC: `accept` hands each connection to whatever serves it.
        .target(name: "A2ALSocket", dependencies: [
            "A2ALRPC", "A2ALThreads", "CLinuxEvents", .product(name: "Logging", package: "swift-log"),
        ]),
        // The daemon as a library: configuration, data directory, methods, lifecycle.
        .target(name: "A2ALDaemon", dependencies: [
            "A2ALSocket", "A2ALRPC", "A2ALDHT", "A2ALUDP", "A2ALDebugHTTP", "A2ALNIOSupport", "A2ALProtocol", "A2ALCore", "A2ALThreads", "CLinuxEvents",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ], resources: [.embedInCode("Resources/openrpc.json")]),
        .executableTarget(name: "a2ald", dependencies: [
            "A2ALDaemon", "A2ALSocket", "A2ALRPC", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),

        // The async/await client of the daemon's socket (clients/swift) and the CLI built on it.
        .target(name: "A2ALClient", dependencies: [
            "A2ALRPC",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ], path: "clients/swift/A2ALClient"),
        .executableTarget(name: "a2al-cli", dependencies: [
            "A2ALClient", "A2ALRPC",
        ]),

        // The MCP server (docs/mcp.md): tools derived from rpc.discover, bridged to the socket.
        .target(name: "A2ALMCP", dependencies: ["A2ALClient", "A2ALRPC", .product(name: "MCP", package: "swift-sdk")]),
        .executableTarget(name: "a2al-mcp", dependencies: ["A2ALMCP", "A2ALClient", .product(name: "MCP", package: "swift-sdk")]),

        .executableTarget(name: "a2al-bench-wire", dependencies: ["A2ALCore", "A2ALProtocol"],
                          path: "bench/wire"),

        .executableTarget(name: "a2al-bench-node", dependencies: ["A2ALDHT", "A2ALUDP", "A2ALSimulation",
                                                               .product(name: "Logging", package: "swift-log")],
                          path: "bench/node"),
        .executableTarget(name: "a2al-sim", dependencies: ["A2ALDHT", "A2ALSimulation", "A2ALRPC",
                                                        .product(name: "Logging", package: "swift-log")],
                          path: "Sources/a2al-sim"),
        .executableTarget(name: "a2al-bench-rpc", dependencies: ["A2ALDaemon", "A2ALDHT", "A2ALProtocol", "A2ALSocket", "A2ALRPC", "A2ALCore",
                                                              .product(name: "Logging", package: "swift-log")],
                          path: "bench/rpc"),

        .testTarget(name: "A2ALThreadsTests", dependencies: ["A2ALThreads"]),
        .testTarget(name: "A2ALCoreTests", dependencies: ["A2ALCore"]),
        .testTarget(name: "A2ALProtocolTests", dependencies: ["A2ALProtocol", "A2ALCore"]),
        .testTarget(name: "A2ALDHTTests", dependencies: ["A2ALDHT", "A2ALSimulation", "A2ALTestSupport", "A2ALProtocol", "A2ALCore"]),
        .testTarget(name: "A2ALSimulationTests", dependencies: ["A2ALSimulation", "A2ALDHT", "A2ALProtocol"]),
        .testTarget(name: "A2ALRPCTests", dependencies: ["A2ALRPC"]),
        .testTarget(name: "A2ALUDPTests", dependencies: ["A2ALUDP", "A2ALDHT", "A2ALTestSupport", "A2ALProtocol", "A2ALCore",
                                                     .product(name: "NIOCore", package: "swift-nio"),
                                                     .product(name: "NIOPosix", package: "swift-nio")]),
        .testTarget(name: "A2ALDebugHTTPTests", dependencies: ["A2ALDebugHTTP", "A2ALUDP", "A2ALDHT", "A2ALTestSupport", "A2ALRPC",
                                                           "A2ALProtocol", "A2ALCore"]),

        // Test support: polling for awaited state, starting daemons, CLIs and line clients; the
        // schema catalog and validator.
        .target(name: "A2ALTestSupport", dependencies: ["A2ALRPC"], path: "Tests/A2ALTestSupport"),
        .testTarget(name: "A2ALDaemonTests", dependencies: ["A2ALDaemon", "A2ALSocket", "A2ALTestSupport", "A2ALRPC", "A2ALDHT",
                                                        "A2ALSimulation", "A2ALProtocol", "A2ALCore", "CLinuxEvents",
                                                        .product(name: "NIOCore", package: "swift-nio"),
                                                        .product(name: "NIOPosix", package: "swift-nio")]),
        // The JSON-RPC socket layer on its own: loop threads, framing, the sink, the socket file.
        .testTarget(name: "A2ALSocketTests", dependencies: ["A2ALSocket", "A2ALRPC", "CLinuxEvents",
                                                        .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "A2ALClientTests", dependencies: ["A2ALClient", "A2ALTestSupport", "A2ALRPC"]),
        .testTarget(name: "A2ALCLITests", dependencies: ["A2ALTestSupport", "A2ALDaemon", "A2ALRPC"]),
        .testTarget(name: "A2ALMCPTests", dependencies: ["A2ALMCP", "A2ALTestSupport", "A2ALRPC"]),
        .testTarget(name: "A2ALDocsTests", dependencies: ["A2ALTestSupport", "A2ALDaemon", "A2ALUDP", "A2ALRPC"]),
    ],
    swiftLanguageModes: [.v6]
)

// The sanitizer builds (scripts/sanitizers.sh sets A2AL_SANITIZER_BUILD=1) compile only what
// their suites test (docs/testing.md, "Sanitizers"): the daemon above its socket, its
// end-to-end suites, the clients, the MCP server and the executables are left out, and with
// them the packages only those use.
if Context.environment["A2AL_SANITIZER_BUILD"] == "1" {
    let untested: Set<String> = ["A2ALDaemonTests", "A2ALClientTests", "A2ALCLITests", "A2ALMCPTests", "A2ALDocsTests",
                                 "A2ALDaemon", "A2ALClient", "a2al-cli", "A2ALMCP", "a2al-mcp", "a2ald", "a2al-sim",
                                 "a2al-bench-wire", "a2al-bench-node", "a2al-bench-rpc"]
    package.targets.removeAll { untested.contains($0.name) }
    package.products.removeAll { untested.contains($0.name) }
    let unused = ["/swift-sdk.git", "/swift-argument-parser.git", "/swift-service-lifecycle.git", "/swift-metrics.git",
                  "/swift-prometheus.git"]
    package.dependencies.removeAll { dependency in
        guard case .sourceControl(_, let location, _) = dependency.kind else { return false }
        return unused.contains { location.hasSuffix($0) }
    }
}
