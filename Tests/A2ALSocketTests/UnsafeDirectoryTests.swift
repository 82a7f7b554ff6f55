@testable import A2ALSocket
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Directories others could change are refused for the socket (docs/security.md, "Local
/// files"): the socket's mode is set by path after bind, so in such a directory another user
/// could swap the new socket for a link and have us chmod its target. The data directory's
/// side is in DataDirectoryTests.
@Suite(.serialized)
struct UnsafeDirectoryTests {
    private func startError(_ path: String) async -> SocketServerError? {
        do {
            let server = try await SocketTest.start(UnixSocketOptions(path: path, mode: 0o666), probe: UnixSocketProbe())
            await server.stop()
            return nil
        } catch {
            return error as? SocketServerError
        }
    }

    /// The attack: a racer keeps replacing the socket path with a link to a victim file while
    /// the daemon starts in a world-writable directory. The victim's mode must never change,
    /// because the daemon refuses the directory outright.
    @Test func aSocketInAWorldWritableDirectoryIsRefusedAndNoRaceCanWidenAFile() async throws {
        let dir = try SocketTestDirectory()
        defer { dir.remove() }
        let open = dir.path + "/open"
        #expect(mkdir(open, 0o700) == 0 && chmod(open, 0o777) == 0)
        let victim = dir.path + "/victim"
        close(Glibc.open(victim, O_CREAT | O_WRONLY, 0o600))
        #expect(chmod(victim, 0o600) == 0)
        let socketPath = open + "/a.sock"
        let stop = Atomic<Bool>(false)
        let racer = Thread {
            while !stop.load(ordering: .relaxed) {
                _ = unlink(socketPath)
                _ = symlink(victim, socketPath + ".tmp")
                _ = rename(socketPath + ".tmp", socketPath)
            }
        }
        racer.start()
        for _ in 0..<40 {
            let error = await startError(socketPath)
            #expect(error?.reason.contains("writable by everyone") == true, "\(String(describing: error))")
        }
        stop.store(true, ordering: .relaxed)
        #expect(SocketTest.fileMode(victim).map { $0 & 0o777 } == 0o600)
    }

    @Test func aStickyWorldWritableDirectoryIsFine() async throws {
        let dir = try SocketTestDirectory()
        defer { dir.remove() }
        let shared = dir.path + "/sticky"
        #expect(mkdir(shared, 0o700) == 0 && chmod(shared, 0o1777) == 0)
        let server = try await SocketTest.start(UnixSocketOptions(path: shared + "/a.sock"), probe: UnixSocketProbe())
        await server.stop()
    }

    @Test func aDirectoryOwnedByAnotherUserIsRefused() async throws {
        guard getuid() == 0 else { return }  // only root can give a directory away
        let dir = try SocketTestDirectory()
        defer { dir.remove() }
        let foreign = dir.path + "/foreign"
        #expect(mkdir(foreign, 0o755) == 0 && chown(foreign, 65534, 65534) == 0)
        let error = await startError(foreign + "/a.sock")
        #expect(error?.reason.contains("belongs to another user (uid 65534)") == true)
    }
}
