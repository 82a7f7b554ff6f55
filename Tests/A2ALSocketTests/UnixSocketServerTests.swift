import A2ALSocket
import A2ALRPC
import CLinuxEvents
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Connections through a real socket: framing, the sink, the cap, credentials and shutdown.
@Suite(.serialized)
struct UnixSocketServerTests {
    @Test func echoesLinesInOrder() async throws {
        let dir = try SocketTestDirectory()
        defer { dir.remove() }
        let probe = UnixSocketProbe()
        let server = try await SocketTest.start(UnixSocketOptions(path: dir.socketPath), probe: probe)
        let client = try UnixTestClient.connect(dir.socketPath)
        try client.write("hello\n")
        #expect(try client.readText() == "hello")
        try client.write("{\"jsonrpc\":\"2.0\"}\n")
        #expect(try client.readText() == "{\"jsonrpc\":\"2.0\"}")
        #expect(server.path == dir.socketPath)
        await server.stop()
    }

    @Test func framesLinesSplitAndCoalescedAcrossWrites() async throws {
        let dir = try SocketTestDirectory()
        defer { dir.remove() }
        let probe = UnixSocketProbe()
        let server = try await SocketTest.start(UnixSocketOptions(path: dir.socketPath), probe: probe)
        let client = try UnixTestClient.connect(dir.socketPath)

        // One byte per write, with pauses so the server sees many separate reads.
        for byte in Array("split-one-byte-at-a-time\n".utf8) {
            try client.write([byte])
            usleep(1000)
        }
        #expect(try client.readText() == "split-one-byte-at-a-time")

        try client.write("one\ntwo\nthree\n")
        #expect(try client.readText() == "one")
        #expect(try client.readText() == "two")
        #expect(try client.readText() == "three")

        for piece in ["al", "pha\nbe", "ta\n\n", "gam", "ma\n"] {
            try client.write(piece)
            usleep(2000)
        }
        #expect(try client.readText() == "alpha")
        #expect(try client.readText() == "beta")
        #expect(try client.readText() == "")
        #expect(try client.readText() == "gamma")
        #expect(probe.snapshot.lines == ["split-one-byte-at-a-time", "one", "two", "three",
                                         "alpha", "beta", "", "gamma"])
        await server.stop()
    }

    @Test func stripsOneTrailingCarriageReturn() async throws {
        let dir = try SocketTestDirectory()
        defer { dir.remove() }
        let probe = UnixSocketProbe()
        let server = try await SocketTest.start(UnixSocketOptions(path: dir.socketPath), probe: probe)
        let client = try UnixTestClient.connect(dir.socketPath)
        try client.write("crlf\r\nbare\nt\r\r\n")
        #expect(try client.readText() == "crlf")
        #expect(try client.readText() == "bare")
        #expect(try client.readText() == "t\r")
        await server.stop()
    }

    @Test func lineOverTheLimitIsReportedAndTheRestIgnored() async throws {
        let dir = try SocketTestDirectory()
        defer { dir.remove() }
        let probe = UnixSocketProbe()
        let options = UnixSocketOptions(path: dir.socketPath, maxLineBytes: 16)
        let server = try await SocketTest.start(options, probe: probe)
        let client = try UnixTestClient.connect(dir.socketPath)

        // Exactly at the limit, with and without CR, is still a line.
        try client.write("0123456789abcdef\n0123456789abcdef\r\n")
        #expect(try client.readText() == "0123456789abcdef")
        #expect(try client.readText() == "0123456789abcdef")

        // One write: the server may close as soon as it has seen the overflow.
        try client.write("ok\n0123456789abcdefXmore bytes of the same line\nlater\n")
        #expect(try client.readText() == "ok")
        #expect(try client.readText() == "too long")
        #expect(try client.readLine() == nil)

        #expect(await SocketTest.eventually { probe.snapshot.closed == 1 })
        let seen = probe.snapshot
        #expect(seen.tooLong == [16])
        #expect(seen.lines == ["0123456789abcdef", "0123456789abcdef", "ok"])
        await server.stop()
    }

    @Test func refusesConnectionsOverTheCap() async throws {
        let dir = try SocketTestDirectory()
        defer { dir.remove() }
        let probe = UnixSocketProbe()
        let server = try await SocketTest.start(UnixSocketOptions(path: dir.socketPath, maxConnections: 2),
                                                probe: probe)
        // Served one after the other, so which two are admitted does not depend on scheduling.
        let first = try UnixTestClient.connect(dir.socketPath)
        try first.write("a\n")
        #expect(try first.readText() == "a")
        let second = try UnixTestClient.connect(dir.socketPath)
        try second.write("b\n")
        #expect(try second.readText() == "b")

        for _ in 0..<3 {
            let extra = try UnixTestClient.connect(dir.socketPath)
            #expect(try extra.readLine() == SocketTest.overCapacity)
            #expect(try extra.readLine() == nil)
        }
        try first.write("still\n")
        #expect(try first.readText() == "still")
        try second.write("here\n")
        #expect(try second.readText() == "here")
        #expect(server.connectionCount == 2)
        #expect(probe.snapshot.accepted == 2)

        // A freed slot is served again.
        first.close()
        #expect(await SocketTest.eventually { server.connectionCount == 1 })
        let third = try UnixTestClient.connect(dir.socketPath)
        try third.write("c\n")
        #expect(try third.readText() == "c")
        await server.stop()
    }

    @Test func passesThePeerCredentials() async throws {
        let dir = try SocketTestDirectory()
        defer { dir.remove() }
        let probe = UnixSocketProbe()
        let server = try await SocketTest.start(UnixSocketOptions(path: dir.socketPath), probe: probe)
        let client = try UnixTestClient.connect(dir.socketPath)
        try client.write("who\n")
        #expect(try client.readText() == "who")
        #expect(probe.snapshot.peers == [PeerCredentials(pid: getpid(), uid: getuid(), gid: getgid())])
        await server.stop()
    }

    @Test func stopFlushesQueuedLinesClosesClientsAndRemovesTheFile() async throws {
        let dir = try SocketTestDirectory()
        defer { dir.remove() }
        let probe = UnixSocketProbe { line, sink in
            for index in 0..<500 { sink.send(Array("\(line)-\(index)".utf8)) }
        }
        let server = try await SocketTest.start(UnixSocketOptions(path: dir.socketPath), probe: probe)
        let idle = try UnixTestClient.connect(dir.socketPath)
        let busy = try UnixTestClient.connect(dir.socketPath)
        try busy.write("x\n")
        #expect(await SocketTest.eventually { probe.snapshot.lines == ["x"] && server.connectionCount == 2 })

        await server.stop()
        #expect(!SocketTest.exists(dir.socketPath))
        for index in 0..<500 {
            let line = try busy.readText()
            #expect(line == "x-\(index)")
            if line != "x-\(index)" { break }
        }
        #expect(try busy.readLine() == nil)
        #expect(try idle.readLine() == nil)
        #expect(await SocketTest.eventually { probe.snapshot.closed == 2 })
        #expect(server.connectionCount == 0)

        let (fd, code) = UnixTestClient.rawConnect(dir.socketPath)
        #expect(fd == -1 && code == ENOENT)
        await server.stop()
    }

    @Test func sendAfterCloseIsDropped() async throws {
        let dir = try SocketTestDirectory()
        defer { dir.remove() }
        let probe = UnixSocketProbe { line, sink in
            sink.send(Array(line.utf8))
            sink.close()
            sink.send(Array("dropped".utf8))
        }
        let server = try await SocketTest.start(UnixSocketOptions(path: dir.socketPath), probe: probe)
        let client = try UnixTestClient.connect(dir.socketPath)
        try client.write("last\nignored\n")
        #expect(try client.readText() == "last")
        #expect(try client.readLine() == nil)
        #expect(await SocketTest.eventually { probe.snapshot.closed == 1 })
        #expect(probe.snapshot.lines == ["last"])
        #expect(probe.snapshot.sinks.first?.backlog == 0)
        await server.stop()
    }

    @Test func backlogCountsLinesNotYetHandedToTheKernel() async throws {
        let dir = try SocketTestDirectory()
        defer { dir.remove() }
        let lineCount = 200
        let payload = String(repeating: "z", count: 64 * 1024)
        // Sent from many tasks at once: the sink is callable from any thread.
        let probe = UnixSocketProbe { _, sink in
            for worker in 0..<4 {
                Task.detached {
                    for _ in 0..<(lineCount / 4) { sink.send(Array("\(worker)\(payload)".utf8)) }
                }
            }
        }
        let server = try await SocketTest.start(UnixSocketOptions(path: dir.socketPath), probe: probe)
        let client = try UnixTestClient.connect(dir.socketPath)
        try client.write("flood\n")
        #expect(await SocketTest.eventually { probe.snapshot.sinks.count == 1 })
        let sink = try #require(probe.snapshot.sinks.first)
        // The client reads nothing yet: the kernel buffer takes a few lines, the rest waits.
        #expect(await SocketTest.eventually { sink.backlog >= lineCount / 2 })

        var perWorker = [Int](repeating: 0, count: 4)
        for _ in 0..<lineCount {
            let line = try #require(try client.readLine())
            #expect(line.count == payload.utf8.count + 1)
            let worker = Int(line[0]) - Int(UInt8(ascii: "0"))
            if perWorker.indices.contains(worker) { perWorker[worker] += 1 }
        }
        #expect(perWorker == [50, 50, 50, 50])
        #expect(await SocketTest.eventually { sink.backlog == 0 })
        await server.stop()
    }

    /// Connections are spread over the server's loop threads, and each line is handed to the
    /// session on the loop thread that owns its connection (named for `top -H`).
    @Test func spreadsConnectionsOverItsLoopThreads() async throws {
        let dir = try SocketTestDirectory()
        defer { dir.remove() }
        let threads = Mutex<[String: Set<String>]>([:])
        let probe = UnixSocketProbe { line, sink in
            threads.withLock { $0[line, default: []].insert(SocketTest.currentThreadName()) }
            sink.send(Array(line.utf8))
        }
        let server = try await SocketTest.start(UnixSocketOptions(path: dir.socketPath), probe: probe)
        let clients = try Self.echoFromFourClients(dir.socketPath, linesEach: 3)
        #expect(clients.count == 4)
        let seen = threads.withLock { $0 }
        // Every connection stays on one loop, and the four of them use both loops.
        for index in 0..<4 { #expect(seen["client-\(index)"]?.count == 1) }
        #expect(Set(seen.values.flatMap { $0 }) == ["a2al-rpc-0", "a2al-rpc-1"])
        await server.stop()
    }

    /// A new connection goes to the loop serving the fewest, not simply the next in turn, so a
    /// loop freed by a closed connection is used first and each client keeps a thread of its own
    /// (docs/architecture.md, "The JSON-RPC socket").
    @Test func aNewConnectionGoesToTheLeastLoadedLoop() async throws {
        let dir = try SocketTestDirectory()
        defer { dir.remove() }
        let threads = LineThreads()
        let server = try await SocketTest.start(UnixSocketOptions(path: dir.socketPath), probe: threads.makeProbe(), threads: 4)
        var clients = try Self.echoFromFourClients(dir.socketPath, linesEach: 1)
        let firstFour = threads.byLine
        #expect(Set(firstFour.values) == ["a2al-rpc-0", "a2al-rpc-1", "a2al-rpc-2", "a2al-rpc-3"])
        // Free the loop of the third client; the next in turn would be the first loop again.
        let freed = try #require(firstFour["client-2"])
        clients[2].close()
        #expect(await SocketTest.eventually { server.connectionCount == 3 })
        let late = try UnixTestClient.connect(dir.socketPath)
        try late.write("late\n")
        #expect(try late.readText() == "late")
        #expect(threads.byLine["late"] == freed)
        clients.append(late)
        await server.stop()
    }

    /// Each loop thread asks for a short time slice (docs/architecture.md, "The JSON-RPC
    /// socket"). Lines are handed over on the loop threads, so the probe reads the slice of the
    /// thread it runs on.
    @Test func loopThreadsAskForAShortTimeSlice() async throws {
        let dir = try SocketTestDirectory()
        defer { dir.remove() }
        let slices = Mutex<[String: UInt64]>([:])
        let probe = UnixSocketProbe { line, sink in
            slices.withLock { $0[SocketTest.currentThreadName()] = a2al_time_slice_of(0) }
            sink.send(Array(line.utf8))
        }
        let server = try await SocketTest.start(UnixSocketOptions(path: dir.socketPath), probe: probe)
        let clients = try Self.echoFromFourClients(dir.socketPath, linesEach: 1)
        await server.stop()
        #expect(clients.count == 4)
        let seen = slices.withLock { $0 }
        #expect(Set(seen.keys) == ["a2al-rpc-0", "a2al-rpc-1"])
        if Self.kernelGrantsTimeSlices() {
            for (thread, slice) in seen {
                #expect(slice == UnixSocketServer.loopTimeSliceNanoseconds, "\(thread) runs with a slice of \(slice) ns")
            }
        }
    }

    /// Four clients each send `client-N` `linesEach` times and read every echo back; returned
    /// so they stay connected until the caller is done.
    private static func echoFromFourClients(_ path: String, linesEach: Int) throws -> [UnixTestClient] {
        var clients: [UnixTestClient] = []
        for index in 0..<4 {
            let client = try UnixTestClient.connect(path)
            clients.append(client)
            for _ in 0..<linesEach {
                try client.write("client-\(index)\n")
                #expect(try client.readText() == "client-\(index)")
            }
        }
        return clients
    }

    /// Whether this kernel gives a fair-class thread the slice it asks for (Linux 6.12+): asked
    /// on a thread of its own, so no test thread's scheduling changes.
    private static func kernelGrantsTimeSlices() -> Bool {
        let granted = Mutex(false)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            let asked: UInt64 = 250_000
            granted.withLock { $0 = a2al_request_time_slice(asked) == 0 && a2al_time_slice_of(0) == asked }
            done.signal()
        }
        thread.start()
        done.wait()
        return granted.withLock { $0 }
    }

    @Test func adoptsAnInheritedListeningSocket() async throws {
        let dir = try SocketTestDirectory()
        defer { dir.remove() }
        let fd = try SocketTest.boundSocket(dir.socketPath, listening: true)
        let probe = UnixSocketProbe()
        // The options' path is not used to bind: the inherited socket's own path is reported.
        let server = try await SocketTest.start(UnixSocketOptions(path: dir.path + "/unused.sock"), probe: probe,
                                                inheritedFD: fd)
        #expect(server.path == dir.socketPath)
        let client = try UnixTestClient.connect(dir.socketPath)
        try client.write("systemd\n")
        #expect(try client.readText() == "systemd")
        await server.stop()
        #expect(try client.readLine() == nil)
        // systemd owns the file.
        #expect(SocketTest.exists(dir.socketPath))
        #expect(!SocketTest.exists(dir.path + "/unused.sock"))
    }

    @Test func refusesAnInheritedDescriptorThatIsNotASocket() async throws {
        let dir = try SocketTestDirectory()
        defer { dir.remove() }
        let fd = open(dir.path + "/plain", O_CREAT | O_RDWR, 0o600)
        #expect(fd >= 0)
        defer { close(fd) }
        let error = await #expect(throws: SocketServerError.self) {
            try await SocketTest.start(UnixSocketOptions(path: dir.socketPath), probe: UnixSocketProbe(), inheritedFD: fd)
        }
        #expect(error?.reason == "inherited file descriptor \(fd) for \(dir.socketPath) is not a socket")
    }
}
