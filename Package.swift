// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "a2al-swift",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "A2ALCore", targets: ["A2ALCore"]),
        .library(name: "A2ALProtocol", targets: ["A2ALProtocol"]),
        .executable(name: "a2al-bench-wire", targets: ["a2al-bench-wire"]),
    ],
    targets: [
        // System libraries from Debian: libsodium-dev and libsecp256k1-dev.
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium",
                       providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(name: "CSecp256k1", pkgConfig: "libsecp256k1",
                       providers: [.apt(["libsecp256k1-dev"])]),

        // Identity, text forms, deterministic CBOR, crypto primitives, key store.
        .target(name: "A2ALCore", dependencies: ["CSodium", "CSecp256k1"],
                linkerSettings: [.linkedLibrary("m")]),
        // Messages, signed records, payloads, mailbox, delegation, authority policy.
        .target(name: "A2ALProtocol", dependencies: ["A2ALCore"]),

        .executableTarget(name: "a2al-bench-wire", dependencies: ["A2ALCore", "A2ALProtocol"],
                          path: "bench/wire"),

        .testTarget(name: "A2ALCoreTests", dependencies: ["A2ALCore"]),
        .testTarget(name: "A2ALProtocolTests", dependencies: ["A2ALProtocol", "A2ALCore"]),
    ],
    swiftLanguageModes: [.v6]
)
