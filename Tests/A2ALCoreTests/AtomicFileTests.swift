import Foundation
import Glibc
import Testing
@testable import A2ALCore

/// A fresh directory under /tmp for one test, removed afterwards.
struct KeyStoreTempDir: ~Copyable {
    let path: String

    init() throws {
        var template = Array("/tmp/a2al-keystore-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer -> String? in
            guard let base = buffer.baseAddress, mkdtemp(base) != nil else { return nil }
            return String(cString: base)
        }
        guard let made else { throw FileError.system("/tmp", "mkdtemp failed") }
        path = made
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func entries() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }
}

/// The permission bits of `path`, or nil if it cannot be examined.
func fileModeBits(_ path: String) -> mode_t? {
    var status = stat()
    guard stat(path, &status) == 0 else { return nil }
    return status.st_mode & 0o777
}

@Suite struct AtomicFileTests {
    @Test func writeThenReadRoundTripsWithMode0600() throws {
        let dir = try KeyStoreTempDir()
        let path = dir.path + "/data.bin"
        let bytes = (0..<1000).map { UInt8($0 % 251) }
        try AtomicFile.write(bytes, to: path)
        #expect(try AtomicFile.read(path) == bytes)
        #expect(fileModeBits(path) == 0o600)
        #expect(dir.entries() == ["data.bin"])
    }

    @Test func modeIsExactDespiteUmask() throws {
        let dir = try KeyStoreTempDir()
        let path = dir.path + "/public"
        try AtomicFile.write([1, 2, 3], to: path, mode: 0o644)
        #expect(fileModeBits(path) == 0o644)
    }

    @Test func emptyContentIsFine() throws {
        let dir = try KeyStoreTempDir()
        try AtomicFile.write([], to: dir.path + "/empty")
        #expect(try AtomicFile.read(dir.path + "/empty") == [])
    }

    @Test func rewriteReplacesContentAndLeavesNoTemporaries() throws {
        let dir = try KeyStoreTempDir()
        let path = dir.path + "/state"
        try AtomicFile.write(Array("a much longer first version".utf8), to: path)
        try AtomicFile.write(Array("v2".utf8), to: path)
        #expect(try AtomicFile.read(path) == Array("v2".utf8))
        #expect(dir.entries() == ["state"])
    }

    @Test func readOfMissingFileNamesThePath() throws {
        let dir = try KeyStoreTempDir()
        let path = dir.path + "/missing.json"
        let error = try #require(throws: FileError.self) { try AtomicFile.read(path) }
        #expect(error.path == path)
        #expect(error.isNotFound)
        #expect(error.description.hasPrefix(path + ": "))
    }

    @Test func readRefusesDirectoriesAndOversizedFiles() throws {
        let dir = try KeyStoreTempDir()
        let notFile = try #require(throws: FileError.self) { try AtomicFile.read(dir.path) }
        #expect(notFile.reason == "not a regular file")
        try AtomicFile.write([UInt8](repeating: 7, count: 100), to: dir.path + "/big")
        let tooBig = try #require(throws: FileError.self) { try AtomicFile.read(dir.path + "/big", maxBytes: 99) }
        #expect(tooBig.path == dir.path + "/big")
        #expect(try AtomicFile.read(dir.path + "/big", maxBytes: 100).count == 100)
    }

    @Test func failedWriteRemovesItsTemporaryFile() throws {
        let dir = try KeyStoreTempDir()
        // rename(2) cannot replace a non-empty directory, so the last step fails.
        let target = dir.path + "/occupied"
        try AtomicFile.ensureDirectory(target + "/child")
        let error = try #require(throws: FileError.self) { try AtomicFile.write([1], to: target) }
        #expect(error.path == target)
        #expect(dir.entries() == ["occupied"])
    }

    @Test func writeIntoMissingDirectoryNamesThePath() throws {
        let dir = try KeyStoreTempDir()
        let path = dir.path + "/no/such/file"
        let error = try #require(throws: FileError.self) { try AtomicFile.write([1], to: path) }
        #expect(error.path == path)
        #expect(error.code == ENOENT)
    }

    @Test func noReplaceWriteRefusesAnExistingFile() throws {
        let dir = try KeyStoreTempDir()
        let path = dir.path + "/key"
        try AtomicFile.write([1], to: path, replaceExisting: false)
        let error = try #require(throws: FileError.self) {
            try AtomicFile.write([2], to: path, replaceExisting: false)
        }
        #expect(error.code == EEXIST)
        #expect(error.path == path)
        #expect(try AtomicFile.read(path) == [1])
        #expect(dir.entries() == ["key"])
    }

    /// Paths with "." and ".." components resolve like any other.
    @Test func dotComponentsWork() throws {
        let dir = try KeyStoreTempDir()
        try AtomicFile.ensureDirectory(dir.path + "/sub/./deeper/../other")
        try AtomicFile.write([8], to: dir.path + "/sub/./other/file")
        #expect(try AtomicFile.read(dir.path + "/sub/deeper/../other/file") == [8])
        #expect(dir.entries() == ["sub"])
    }

    @Test func ensureDirectoryCreatesParentsWithMode0700() throws {
        let dir = try KeyStoreTempDir()
        let nested = dir.path + "/a/b//c/"
        try AtomicFile.ensureDirectory(nested)
        try AtomicFile.ensureDirectory(nested)  // idempotent
        for sub in ["/a", "/a/b", "/a/b/c"] {
            #expect(fileModeBits(dir.path + sub) == 0o700)
        }
        try AtomicFile.write([1], to: dir.path + "/file")
        let error = try #require(throws: FileError.self) { try AtomicFile.ensureDirectory(dir.path + "/file/x") }
        #expect(error.path == dir.path + "/file")
    }

    @Test func concurrentWritersNeverTearTheFile() async throws {
        let dir = try KeyStoreTempDir()
        let path = dir.path + "/shared"
        let versions = (0..<16).map { i in [UInt8](repeating: UInt8(i), count: 4096 + i) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for version in versions {
                group.addTask { try AtomicFile.write(version, to: path) }
            }
            try await group.waitForAll()
        }
        let final = try AtomicFile.read(path)
        #expect(versions.contains(final))
        #expect(dir.entries() == ["shared"])
    }
}
