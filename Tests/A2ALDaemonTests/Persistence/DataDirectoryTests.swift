import Glibc
import Testing
@testable import A2ALDaemon

@Suite struct DataDirectoryTests {
    @Test func createsTheDirectoryAndParentsWithMode0700() throws {
        let temp = try StoreTestDirectory()
        let path = temp.path + "/a/b/data"
        let dir = try DataDirectory.open(path)
        defer { dir.close() }
        #expect(storeTestMode(path) == 0o700)
        #expect(storeTestMode(temp.path + "/a/b") == 0o700)
        #expect(dir.path == path)
        #expect(dir.identityKeyPath == path + "/identity.key")
        #expect(dir.agentsPath == path + "/agents.json")
        #expect(dir.publicationsPath == path + "/publications.json")
        #expect(dir.seenPeersPath == path + "/seen_peers")
        #expect(dir.peerCachePath == path + "/peers.json")
        #expect(dir.lockPath == path + "/a2ald.lock")
    }

    @Test func temporariesOfInterruptedWritesAreRemovedOnOpen() throws {
        let temp = try StoreTestDirectory()
        let path = temp.path + "/data"
        let first = try DataDirectory.open(path)
        first.close()
        let leftover = path + "/.agents.json.tmp-1a2b3c"
        let keep = path + "/notes.tmp-1"
        for file in [leftover, keep] {
            let fd = open(file, O_CREAT | O_WRONLY, 0o600)
            #expect(fd >= 0)
            close(fd)
        }
        let dir = try DataDirectory.open(path)
        defer { dir.close() }
        #expect(access(leftover, F_OK) != 0)
        #expect(access(keep, F_OK) == 0)
    }

    @Test func trailingSlashIsDropped() throws {
        let temp = try StoreTestDirectory()
        let dir = try DataDirectory.open(temp.path + "/data/")
        defer { dir.close() }
        #expect(dir.path == temp.path + "/data")
        #expect(dir.agentsPath == temp.path + "/data/agents.json")
    }

    @Test func lockFileHoldsOurPid() throws {
        let temp = try StoreTestDirectory()
        let dir = try DataDirectory.open(temp.path)
        defer { dir.close() }
        #expect(try temp.read("a2ald.lock") == "\(getpid())\n")
        #expect(storeTestMode(dir.lockPath) == 0o600)
    }

    @Test func secondOpenIsRefusedNamingThePidAndDirectory() throws {
        let temp = try StoreTestDirectory()
        let first = try DataDirectory.open(temp.path)
        defer { first.close() }
        let error = #expect(throws: DataFileError.self) { try DataDirectory.open(temp.path) }
        #expect(error?.path == temp.path + "/a2ald.lock")
        #expect(error?.reason == "another a2ald (pid \(getpid())) is using \(temp.path)")
        #expect(error?.description == "\(temp.path)/a2ald.lock: another a2ald (pid \(getpid())) is using \(temp.path)")
    }

    @Test func closeReleasesTheLock() throws {
        let temp = try StoreTestDirectory()
        let first = try DataDirectory.open(temp.path)
        first.close()
        first.close()  // harmless
        let second = try DataDirectory.open(temp.path)
        second.close()
    }

    @Test func refusesAPathThatIsAFile() throws {
        let temp = try StoreTestDirectory()
        try temp.write("not a directory", to: "data")
        let error = #expect(throws: DataFileError.self) { try DataDirectory.open(temp.file("data")) }
        #expect(error?.path == temp.file("data"))
        #expect(error?.reason.contains("not a directory") == true)
    }

    @Test func refusesAPathUnderAFile() throws {
        let temp = try StoreTestDirectory()
        try temp.write("x", to: "file")
        let error = #expect(throws: DataFileError.self) { try DataDirectory.open(temp.file("file") + "/data") }
        #expect(error?.path == temp.file("file"))
    }

    @Test func existingDirectoryIsReusedAsIs() throws {
        let temp = try StoreTestDirectory()
        try temp.write("{}", to: "keep.txt")
        let dir = try DataDirectory.open(temp.path)
        dir.close()
        #expect(try temp.read("keep.txt") == "{}")
    }

    // Directories others could change are refused (docs/security.md, "Local files"), as they
    // are for the socket (UnsafeDirectoryTests).

    @Test func aGroupOrWorldWritableDataDirectoryIsRefusedWithTheReason() throws {
        let temp = try StoreTestDirectory()
        for mode: mode_t in [0o777, 0o770] {
            let data = temp.path + "/data\(mode)"
            #expect(mkdir(data, 0o700) == 0 && chmod(data, mode) == 0)
            do {
                _ = try DataDirectory.open(data)
                Issue.record("opened an unsafe data directory (mode \(String(mode, radix: 8)))")
            } catch {
                #expect(error.description.contains("unsafe data directory: \(data) is writable by"), "\(error)")
            }
        }
        // Our own 0700 directory is fine.
        let opened = try DataDirectory.open(temp.path + "/good")
        opened.close()
    }

    @Test func aDataDirectoryUnderAnotherUsersDirectoryIsRefused() throws {
        guard getuid() == 0 else { return }  // only root can give a directory away
        let temp = try StoreTestDirectory()
        let foreign = temp.path + "/foreign"
        #expect(mkdir(foreign, 0o755) == 0 && chown(foreign, 65534, 65534) == 0)
        #expect(throws: DataFileError.self) { _ = try DataDirectory.open(foreign + "/data") }
    }
}
