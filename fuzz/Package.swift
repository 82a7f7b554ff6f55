// swift-tools-version:6.0
// libFuzzer targets for the hostile-input boundaries of a2al-swift (docs/testing.md).
// Build and run them with scripts/fuzz.sh; a plain `swift build` of this package without
// `-sanitize=fuzzer` fails to link, since libFuzzer provides the driver.
import PackageDescription

let core = Target.Dependency.product(name: "A2ALCore", package: "a2al-swift")
let proto = Target.Dependency.product(name: "A2ALProtocol", package: "a2al-swift")
let rpc = Target.Dependency.product(name: "A2ALRPC", package: "a2al-swift")

let package = Package(
    name: "a2al-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "a2al-swift", path: "..")],
    targets: [
        .target(name: "FuzzDriver"),
        .target(name: "FuzzSupport", dependencies: [core]),
        // Packet.decode under the three wire schemas, fast path vs general path, re-encoding.
        .executableTarget(name: "fuzz-packet", dependencies: ["FuzzDriver", "FuzzSupport", core, proto]),
        // CBORReader / CBOR.decode / CBORFields / CBORCursor, canonical re-encoding.
        .executableTarget(name: "fuzz-cbor", dependencies: ["FuzzDriver", "FuzzSupport", core]),
        // SignedRecord, verify, payloads, mailbox, delegation proofs.
        .executableTarget(name: "fuzz-record", dependencies: ["FuzzDriver", "FuzzSupport", core, proto]),
        // JSON parser and writer, line framer, RPCSession with a small method table, the hex codec.
        .executableTarget(name: "fuzz-rpc", dependencies: ["FuzzDriver", "FuzzSupport", core, rpc]),
    ],
    swiftLanguageModes: [.v6]
)
