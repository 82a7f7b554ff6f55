import Foundation
import Glibc
import Testing
@testable import A2ALCore

@Suite struct FileKeyStoreTests {
    static let seed: [UInt8] = (0..<32).map { UInt8($0) }
    static let validFile = "a2al-ed25519-seed-v1\n000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"

    @Test func fileFormatIsTheDocumentedText() {
        #expect(FileKeyStore.encode(seed: Self.seed) == Array(Self.validFile.utf8))
    }

    @Test func createReopenSignRoundTrip() throws {
        let dir = try KeyStoreTempDir()
        let home = dir.path + "/data/node"  // parents are created too
        let store = try FileKeyStore.openOrCreate(directory: home)
        let addresses = store.list()
        #expect(addresses.count == 1)
        let address = try #require(addresses.first)

        let reopened = try FileKeyStore.openOrCreate(directory: home)
        #expect(reopened.list() == [address])
        let again = try FileKeyStore.open(directory: home)
        #expect(again.list() == [address])

        let message = Array("the full message preimage".utf8)
        let signature = try again.sign(address: address, data: message)
        #expect(signature.count == 64)
        let publicKey = try store.publicKey(address: address)
        #expect(publicKey.count == 32)
        #expect(Address.ed25519(publicKey: publicKey) == address)
        #expect(Ed25519.verify(signature: signature, message: message, publicKey: publicKey))
    }

    @Test func keyFileIs0600AndDirectoryIs0700() throws {
        let dir = try KeyStoreTempDir()
        let home = dir.path + "/node"
        let store = try FileKeyStore.openOrCreate(directory: home)
        #expect(fileModeBits(home) == 0o700)
        #expect(fileModeBits(store.keyFilePath) == 0o600)
        #expect(store.keyFilePath == home + "/identity.key")
        // Only the key file: no temporaries left behind.
        #expect((try FileManager.default.contentsOfDirectory(atPath: home)) == ["identity.key"])
        let text = String(decoding: try AtomicFile.read(store.keyFilePath), as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3 && lines[0] == "a2al-ed25519-seed-v1" && lines[1].count == 64 && lines[2].isEmpty)
    }

    @Test func loadsAKnownSeed() throws {
        let dir = try KeyStoreTempDir()
        try AtomicFile.write(Array(Self.validFile.utf8), to: dir.path + "/identity.key")
        let store = try FileKeyStore.open(directory: dir.path)
        let expected = try Ed25519.KeyPair(seed: Self.seed)
        #expect(store.list() == [expected.address])
        #expect(try store.publicKey(address: expected.address) == expected.publicKey)
    }

    @Test func generateTwiceGivesIdentityExists() throws {
        let dir = try KeyStoreTempDir()
        let store = try FileKeyStore.open(directory: dir.path)
        #expect(store.list().isEmpty)
        let address = try store.generate()
        #expect(store.list() == [address])
        #expect(throws: KeyStoreError.identityExists(address)) { try store.generate() }
        // A second instance sees the file on disk and refuses too.
        let other = try FileKeyStore.open(directory: dir.path)
        #expect(throws: KeyStoreError.identityExists(address)) { try other.generate() }
        let created = try FileKeyStore.openOrCreate(directory: dir.path + "/fresh")
        let createdAddress = try #require(created.list().first)
        #expect(throws: KeyStoreError.identityExists(createdAddress)) { try created.generate() }
    }

    /// An instance that loaded no key, racing another that wrote one, must not overwrite it.
    @Test func generateNeverOverwritesAKeyWrittenMeanwhile() throws {
        let dir = try KeyStoreTempDir()
        let stale = try FileKeyStore.open(directory: dir.path)
        let winner = try FileKeyStore.open(directory: dir.path)
        let address = try winner.generate()
        #expect(throws: KeyStoreError.identityExists(address)) { try stale.generate() }
        #expect(stale.list() == [address])
        #expect(try FileKeyStore.open(directory: dir.path).list() == [address])
    }

    @Test func concurrentOpenOrCreateAgreesOnOneIdentity() async throws {
        let dir = try KeyStoreTempDir()
        let home = dir.path + "/node"
        let addresses = try await withThrowingTaskGroup(of: [Address].self) { group in
            for _ in 0..<16 {
                group.addTask { try FileKeyStore.openOrCreate(directory: home).list() }
            }
            var all: Set<[Address]> = []
            for try await list in group { all.insert(list) }
            return all
        }
        #expect(addresses.count == 1)
        #expect(addresses.first?.count == 1)
        #expect((try FileManager.default.contentsOfDirectory(atPath: home)) == ["identity.key"])
    }

    static let malformed: [(String, String)] = [
        ("", "file is empty"),
        ("a2al-ed25519-seed-v2\n" + String(repeating: "00", count: 32) + "\n", "first line must be"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----\nxx\n", "first line must be"),
        ("a2al-k1" + String(repeating: "\u{1}", count: 88), "encrypted Go keystore blob"),
        ("a2al-ed25519-seed-v1\n", "seed line is missing"),
        ("a2al-ed25519-seed-v1\n" + String(repeating: "zz", count: 32) + "\n", "not a lowercase hex digit at column 1"),
        ("a2al-ed25519-seed-v1\n" + String(repeating: "AB", count: 32) + "\n", "not a lowercase hex digit"),
        ("a2al-ed25519-seed-v1\n" + String(repeating: "00", count: 31) + "\n", "found 62"),
        ("a2al-ed25519-seed-v1\n" + String(repeating: "00", count: 33) + "\n", "found 66"),
        ("a2al-ed25519-seed-v1\n" + String(repeating: "00", count: 32), "must end with a newline"),
        ("a2al-ed25519-seed-v1\n" + String(repeating: "00", count: 32) + "\n\n", "unexpected data after the seed line"),
        ("a2al-ed25519-seed-v1\n" + String(repeating: "00", count: 32) + "\nextra\n", "unexpected data"),
        ("a2al-ed25519-seed-v1\r\n" + String(repeating: "00", count: 32) + "\r\n", "not \\r\\n"),
        ("a2al-ed25519-seed-v1\n" + String(repeating: "00", count: 32) + "\r\n", "not \\r\\n"),
        (String(repeating: "x", count: 5000), "more than the limit"),
    ]

    @Test(arguments: malformed)
    func malformedKeyFilesAreRefusedNamingTheFile(content: String, expected: String) throws {
        let dir = try KeyStoreTempDir()
        let path = dir.path + "/identity.key"
        try AtomicFile.write(Array(content.utf8), to: path)
        let error = try #require(throws: KeyStoreError.self) { try FileKeyStore.open(directory: dir.path) }
        #expect(error.description.hasPrefix(path + ": "), "\(error)")
        #expect(error.description.contains(expected), "\(error)")
        switch error {
        case .malformedKeyFile(let errorPath, _): #expect(errorPath == path)
        case .io(let fileError): #expect(fileError.path == path && expected == "more than the limit")
        default: Issue.record("unexpected \(error)")
        }
        // openOrCreate must not "repair" a bad key by replacing it.
        #expect(throws: KeyStoreError.self) { try FileKeyStore.openOrCreate(directory: dir.path) }
        #expect(try AtomicFile.read(path, maxBytes: 1 << 20) == Array(content.utf8))
    }

    @Test(arguments: [0o644, 0o640, 0o604, 0o620, 0o666] as [mode_t])
    func keyReadableByOthersIsRefused(mode: mode_t) throws {
        let dir = try KeyStoreTempDir()
        let path = dir.path + "/identity.key"
        try AtomicFile.write(Array(Self.validFile.utf8), to: path, mode: mode)
        let error = try #require(throws: KeyStoreError.self) { try FileKeyStore.open(directory: dir.path) }
        guard case .io(let fileError) = error else {
            Issue.record("expected an io error, got \(error)")
            return
        }
        #expect(fileError.path == path)
        #expect(error.description.contains(path))
        #expect(error.description.contains("chmod 600"))
        #expect(error.description.contains("0" + String(mode, radix: 8)))
        // After tightening, it loads.
        #expect(chmod(path, 0o600) == 0)
        #expect(try FileKeyStore.open(directory: dir.path).list().count == 1)
    }

    @Test func ownerOnlyModesLoad() throws {
        let dir = try KeyStoreTempDir()
        try AtomicFile.write(Array(Self.validFile.utf8), to: dir.path + "/identity.key", mode: 0o400)
        #expect(try FileKeyStore.open(directory: dir.path).list().count == 1)
    }

    @Test func openNeedsAnExistingDirectory() throws {
        let dir = try KeyStoreTempDir()
        let missing = dir.path + "/absent"
        let error = try #require(throws: KeyStoreError.self) { try FileKeyStore.open(directory: missing) }
        #expect(error == .io(FileError(path: missing, reason: "cannot open key store directory: No such file or directory",
                                       code: ENOENT)))
        #expect(error.description.hasPrefix(missing + ": "))
        try AtomicFile.write([1], to: dir.path + "/plainfile")
        #expect(throws: KeyStoreError.self) { try FileKeyStore.open(directory: dir.path + "/plainfile") }
        #expect(throws: KeyStoreError.self) { try FileKeyStore.openOrCreate(directory: dir.path + "/plainfile") }
    }

    @Test func unknownAddressIsRefused() throws {
        let dir = try KeyStoreTempDir()
        let store = try FileKeyStore.openOrCreate(directory: dir.path)
        let stranger = Ed25519.KeyPair.generate().address
        #expect(throws: KeyStoreError.unknownAddress(stranger)) { try store.sign(address: stranger, data: [1]) }
        #expect(throws: KeyStoreError.unknownAddress(stranger)) { try store.publicKey(address: stranger) }
    }

    @Test func concurrentSigning() async throws {
        let dir = try KeyStoreTempDir()
        let store = try FileKeyStore.openOrCreate(directory: dir.path)
        try await signConcurrentlyAndVerify(store)
    }
}

@Suite struct MemoryKeyStoreTests {
    @Test func signListAndPublicKey() throws {
        let seeds: [[UInt8]] = [[UInt8](repeating: 1, count: 32), [UInt8](repeating: 2, count: 32)]
        let store = try MemoryKeyStore(seeds: seeds)
        let pairs = try seeds.map { try Ed25519.KeyPair(seed: $0) }
        #expect(store.list() == pairs.map(\.address))
        for pair in pairs {
            #expect(try store.publicKey(address: pair.address) == pair.publicKey)
            let signature = try store.sign(address: pair.address, data: [1, 2, 3])
            #expect(signature == pair.sign([1, 2, 3]))
            #expect(Ed25519.verify(signature: signature, message: [1, 2, 3], publicKey: pair.publicKey))
        }
        let generated = try store.generate()
        #expect(store.list() == pairs.map(\.address) + [generated])
        #expect(generated.version == Address.Version.ed25519.rawValue)
    }

    @Test func unknownAddressAndBadSeeds() throws {
        let store = MemoryKeyStore()
        #expect(store.list().isEmpty)
        let stranger = Ed25519.KeyPair.generate().address
        #expect(throws: KeyStoreError.unknownAddress(stranger)) { try store.sign(address: stranger, data: []) }
        #expect(throws: KeyStoreError.unknownAddress(stranger)) { try store.publicKey(address: stranger) }
        #expect(throws: CryptoError.self) { try MemoryKeyStore(seeds: [[1, 2, 3]]) }
        let seed = [UInt8](repeating: 9, count: 32)
        let address = try Ed25519.KeyPair(seed: seed).address
        #expect(throws: KeyStoreError.identityExists(address)) { try MemoryKeyStore(seeds: [seed, seed]) }
    }

    @Test func concurrentSigningAndGenerating() async throws {
        let store = try MemoryKeyStore(seeds: [[UInt8](repeating: 3, count: 32)])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 { group.addTask { _ = try store.generate() } }
            group.addTask { try await signConcurrentlyAndVerify(store) }
            try await group.waitForAll()
        }
        #expect(store.list().count == 9)
        #expect(Set(store.list()).count == 9)
    }
}

/// Signs from many tasks at once with the store's first key and checks every signature.
func signConcurrentlyAndVerify(_ store: some KeyStore) async throws {
    let address = try #require(store.list().first)
    let publicKey = try store.publicKey(address: address)
    let results = try await withThrowingTaskGroup(of: Bool.self) { group in
        for i in 0..<64 {
            group.addTask {
                let message = Array("message \(i)".utf8)
                let signature = try store.sign(address: address, data: message)
                return Ed25519.verify(signature: signature, message: message, publicKey: publicKey)
            }
        }
        var all: [Bool] = []
        for try await ok in group { all.append(ok) }
        return all
    }
    #expect(results.count == 64 && results.allSatisfy { $0 })
}
