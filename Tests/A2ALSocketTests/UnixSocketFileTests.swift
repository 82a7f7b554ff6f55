@testable import A2ALSocket
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the server does with the filesystem: stale files, foreign files, live daemons,
/// permissions and group, directories and path limits.
@Suite(.serialized)
struct UnixSocketFileTests {
    private func startError(_ options: UnixSocketOptions) async -> SocketServerError? {
        do {
            let server = try await SocketTest.start(options, probe: UnixSocketProbe())
            await server.stop()
            return nil
        } catch {
            return error as? SocketServerError
        }
    }

    @Test func replacesAStaleSocketFile() async throws {
        let dir = try SocketTestDirectory()
        defer { dir.remove() }
        // Bound and closed without unlinking: what a crashed daemon leaves behind.
        close(try SocketTest.boundSocket(dir.socketPath, listening: false))
        #expect(SocketTest.exists(dir.socketPath))
        let server = try await SocketTest.start(UnixSocketOptions(path: dir.socketPath), probe: UnixSocketProbe())
        let client = try UnixTestClient.connect(dir.socketPath)
        try client.write("fresh\n")
        #expect(try client.readText() == "fresh")
        await server.stop()
    }

    @Test func refusesASocketAnotherDaemonListensOn() async throws {
        let dir = try SocketTestDirectory()
        defer { dir.remove() }
        let first = try await SocketTest.start(UnixSocketOptions(path: dir.socketPath), probe: UnixSocketProbe())
        let error = await startError(UnixSocketOptions(path: dir.socketPath))
        #expect(error?.reason == "another daemon is already listening on \(dir.socketPath)")
        #expect(error?.path == dir.socketPath)
        // The first daemon keeps its socket.
        let client = try UnixTestClient.connect(dir.socketPath)
        try client.write("first\n")
        #expect(try client.readText() == "first")
        await first.stop()
    }

    @Test func refusesToReplaceARegularFile() async throws {
        let dir = try SocketTestDirectory()
        defer { dir.remove() }
        let fd = open(dir.socketPath, O_CREAT | O_WRONLY, 0o600)
        #expect(write(fd, "keep", 4) == 4)
        close(fd)
        let error = await startError(UnixSocketOptions(path: dir.socketPath))
        #expect(error?.description == "\(dir.socketPath) exists and is not a socket; refusing to replace it")
        var info = stat()
        #expect(lstat(dir.socketPath, &info) == 0 && info.st_size == 4)
    }

    @Test func socketFileGetsTheRequestedMode() async throws {
        let dir = try SocketTestDirectory()
        defer { dir.remove() }
        let standard = try await SocketTest.start(UnixSocketOptions(path: dir.socketPath), probe: UnixSocketProbe())
        #expect(SocketTest.fileMode(dir.socketPath).map { $0 & 0o7777 } == 0o600)
        #expect(SocketTest.fileMode(dir.socketPath).map { $0 & S_IFMT } == S_IFSOCK)
        await standard.stop()

        let shared = try await SocketTest.start(UnixSocketOptions(path: dir.socketPath, mode: 0o660),
                                                probe: UnixSocketProbe())
        #expect(SocketTest.fileMode(dir.socketPath).map { $0 & 0o7777 } == 0o660)
        await shared.stop()
    }

    @Test func socketFileGetsTheRequestedGroup() async throws {
        let dir = try SocketTestDirectory()
        defer { dir.remove() }
        let gid = getgid()
        let byNumber = try await SocketTest.start(UnixSocketOptions(path: dir.socketPath, mode: 0o660,
                                                                    group: String(gid)), probe: UnixSocketProbe())
        var info = stat()
        #expect(lstat(dir.socketPath, &info) == 0 && info.st_gid == gid)
        await byNumber.stop()

        if let entry = getgrgid(gid) {
            let name = String(cString: entry.pointee.gr_name)
            let byName = try await SocketTest.start(UnixSocketOptions(path: dir.socketPath, group: name),
                                                    probe: UnixSocketProbe())
            #expect(lstat(dir.socketPath, &info) == 0 && info.st_gid == gid)
            await byName.stop()
        }

        let error = await startError(UnixSocketOptions(path: dir.socketPath, group: "no-such-group-a2al"))
        #expect(error?.reason == "unknown group \"no-such-group-a2al\" for socket \(dir.socketPath)")
        #expect(!SocketTest.exists(dir.socketPath))
    }

    /// The file exists without permission bits until the final chmod; with the listen only after
    /// that, nobody connects through a mode wider than requested.
    @Test func boundFileStartsWithoutPermissions() throws {
        let dir = try SocketTestDirectory()
        defer { dir.remove() }
        let fd = try SocketFileBinder.createAndBind(path: dir.socketPath)
        defer { close(fd) }
        #expect(SocketTest.fileMode(dir.socketPath).map { $0 & 0o777 } == 0)
        let (client, code) = UnixTestClient.rawConnect(dir.socketPath)
        // Root passes the permission check and finds nobody listening; anyone else is denied.
        #expect(client == -1 && (code == ECONNREFUSED || code == EACCES))
    }

    @Test func createsTheParentDirectory() async throws {
        let dir = try SocketTestDirectory()
        defer { dir.remove() }
        let path = dir.path + "/run/a2al/s.sock"
        let server = try await SocketTest.start(UnixSocketOptions(path: path), probe: UnixSocketProbe())
        #expect(SocketTest.fileMode(dir.path + "/run/a2al").map { $0 & 0o777 } == 0o700)
        let client = try UnixTestClient.connect(path)
        try client.write("nested\n")
        #expect(try client.readText() == "nested")
        await server.stop()
    }

    @Test func rejectsPathsTooLongForSunPath() async throws {
        let path = "/tmp/" + String(repeating: "p", count: 110) + ".sock"
        let error = await startError(UnixSocketOptions(path: path))
        #expect(error?.reason == "socket path \(path) is \(path.utf8.count) bytes long; "
                + "a Unix socket path may be at most 107 bytes")
    }

    @Test func rejectsImpossibleOptions() async throws {
        let dir = try SocketTestDirectory()
        defer { dir.remove() }
        let badMode = await startError(UnixSocketOptions(path: dir.socketPath, mode: 0o4777))
        #expect(badMode?.reason.contains("is not a permission mode") == true)
        let noConnections = await startError(UnixSocketOptions(path: dir.socketPath, maxConnections: 0))
        #expect(noConnections?.reason.contains("maxConnections") == true)
        let noLines = await startError(UnixSocketOptions(path: dir.socketPath, maxLineBytes: 0))
        #expect(noLines?.reason.contains("maxLineBytes") == true)
        #expect(!SocketTest.exists(dir.socketPath))
    }
}
