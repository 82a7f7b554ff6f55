import A2ALTestSupport
#if canImport(Glibc)
import Glibc
#endif
import A2ALCore
import A2ALRPC
import Foundation
import Synchronization
import Testing

/// The data directory through the real `a2ald` binary: what survives a clean restart, what a
/// SIGKILL in the middle of writes may cost (nothing that was acknowledged), how a damaged
/// file is reported, and the peer cache that lets a restarted node rejoin without seeds.
@Suite(.serialized) struct PersistenceEndToEndTests {
    static let endpoints: JSONValue = ["quic://127.0.0.1:4433"]

    // MARK: Clean restart

    @Test func restartKeepsIdentityAgentsAndPublications() async throws {
        let first = try await DaemonProcess.start()
        let infoBefore = try await first.result("node.info")
        let alice = try await first.result("agent.create", ["label": "alice"])
        _ = try await first.result("agent.create", ["label": "bob"])
        let seed = Hex.encode(Ed25519.KeyPair.generate().seed)
        let carol = try await first.result("agent.import", ["private_key": .string(seed), "label": "carol"])
        let endpoint = try await first.result("publish.endpoint", [
            "agent": .string(alice.str("address")), "endpoints": Self.endpoints, "timeout_ms": 1000,
        ])
        _ = try await first.result("publish.topic", [
            "agent": .string(alice.str("address")), "topic": "e2e/persistence", "name": "alice", "timeout_ms": 1000,
        ])
        let agentsBefore = Self.agentRows(try await first.result("agent.list"))
        let publicationsBefore = Self.publicationRows(try await first.result("publish.list"))
        let endpointSeq = try #require(endpoint["record"]?["seq"]?.u64FromEither.map(Int64.init))
        #expect(agentsBefore.map(\.label).sorted() == ["alice", "bob", "carol"])
        #expect(publicationsBefore.map(\.kind).sorted() == ["endpoint", "topic"])
        #expect(try await first.stop() == 0, "SIGTERM must end the daemon with status 0")

        let second = try await first.restart()
        let infoAfter = try await second.result("node.info")
        #expect(infoAfter.str("node_id") == infoBefore.str("node_id"), "the node identity changed across a restart")
        #expect(infoAfter.str("address") == infoBefore.str("address"))
        #expect(Self.agentRows(try await second.result("agent.list")) == agentsBefore)
        let publicationsAfter = Self.publicationRows(try await second.result("publish.list"))
        #expect(publicationsAfter.map(\.id) == publicationsBefore.map(\.id))
        #expect(publicationsAfter.map(\.kind) == publicationsBefore.map(\.kind))

        // Republishing happens in the background once joining is done (at once here: no
        // peers), re-signed above the seq each publication had before the restart.
        let renewed = try await E2EPoll.until(within: .seconds(20)) { () async throws -> [PublicationRow]? in
            let rows = Self.publicationRows(try await second.result("publish.list"))
            let higher = zip(rows, publicationsBefore).allSatisfy { $0.seq > $1.seq }
            return rows.count == publicationsBefore.count && higher ? rows : nil
        }
        #expect(renewed != nil, "publish.list never showed seqs above \(publicationsBefore.map(\.seq))")
        let stored = try await second.result("store.get_all", ["key": .string(alice.str("node_id")), "type": 1])
        let storedSeqs = stored["records"]?.arrayValue?.compactMap { $0["seq"]?.u64FromEither.map(Int64.init) } ?? []
        #expect(storedSeqs.contains { $0 > endpointSeq },
                "the local store holds no endpoint record above seq \(endpointSeq) after the restart: \(storedSeqs)")

        let exported = try await second.result("agent.export", ["address": .string(carol.str("address")), "confirm": true])
        #expect(exported.str("private_key") == seed, "the imported agent's key changed across a restart")
        #expect(try await second.stop() == 0)
    }

    @Test func dataFilesArePrivate() async throws {
        let daemon = try await DaemonProcess.start()
        let alice = try await daemon.result("agent.create", ["label": "alice"])
        _ = try await daemon.result("publish.endpoint", [
            "agent": .string(alice.str("address")), "endpoints": Self.endpoints, "timeout_ms": 1000,
        ])
        #expect(try await daemon.stop() == 0)

        #expect(E2EFileSystem.mode(daemon.dataDir) == 0o700, "data directory")
        for name in ["identity.key", "agents.json", "publications.json"] {
            let mode = E2EFileSystem.mode(daemon.dataDir + "/" + name)
            #expect(mode == 0o600, "\(name) has mode \(mode.map { String($0, radix: 8) } ?? "missing"), want 600")
        }
    }

    // MARK: Crashes

    /// Acknowledged writes survive a SIGKILL at an arbitrary moment; the crashed daemon's
    /// socket file and lock do not stop the next start, nor does a stray temporary file of
    /// the kind an interrupted atomic write leaves behind.
    @Test func killNineMidWriteLosesNothingAcknowledged() async throws {
        var daemon = try await DaemonProcess.start()
        var acknowledgedAgents = Set<String>()
        var acknowledgedPublications = Set<String>()
        for round in 0..<3 {
            let connection = try daemon.connect()
            let log = AcknowledgedWrites()
            let writer = Task { try await Offload.run { Self.writeUntilCut(connection, round: round, log: log) } }
            // Cut the writer off mid-stream, once it has had some writes acknowledged.
            let started = try await E2EPoll.until(within: .seconds(20)) { log.agentCount >= 3 ? true : nil }
            #expect(started != nil, "round \(round): three agent.create were not acknowledged within 20 s")
            try await daemon.kill9()
            _ = await writer.result
            connection.close()

            let (agents, publications, fault) = log.snapshot()
            #expect(fault == nil, "round \(round): \(fault ?? "")")
            acknowledgedAgents.formUnion(agents)
            acknowledgedPublications.formUnion(publications)
            #expect(E2EFileSystem.isSocket(daemon.socketPath), "round \(round): SIGKILL should leave the socket file behind")
            try E2EFileSystem.write(daemon.dataDir + "/.agents.json.tmp-e2ecrash\(round)", "{\"version\":1,\"age")

            daemon = try await daemon.restart()
            let listed = Set(try await daemon.result("agent.list")["agents"]?.arrayValue?.map { $0.str("address") } ?? [])
            let lostAgents = acknowledgedAgents.subtracting(listed)
            #expect(lostAgents.isEmpty, "round \(round): acknowledged agents missing after kill -9: \(lostAgents.sorted())")
            let kept = Set(Self.publicationRows(try await daemon.result("publish.list")).map(\.id))
            let lostPublications = acknowledgedPublications.subtracting(kept)
            #expect(lostPublications.isEmpty,
                    "round \(round): acknowledged publications missing after kill -9: \(lostPublications.sorted())")
        }
        #expect(try await daemon.stop() == 0)
    }

    /// Creates agents and publishes an endpoint for each, one call at a time on one
    /// connection, until the connection is cut; logs every acknowledged write.
    static func writeUntilCut(_ connection: RPCLineClient, round: Int, log: AcknowledgedWrites) {
        var index = 0
        while true {
            let created: JSONValue
            do {
                created = try connection.call("agent.create", ["label": .string("crash-\(round)-\(index)")], timeout: .seconds(20))
            } catch {
                log.ended(by: error)
                return
            }
            guard let address = created["result"]?["address"]?.stringValue else {
                log.fail("agent.create answered \(JSONWriter.write(created).text)")
                return
            }
            log.agent(address)
            let published: JSONValue
            do {
                published = try connection.call("publish.endpoint", [
                    "agent": .string(address), "endpoints": endpoints, "timeout_ms": 1000,
                ], timeout: .seconds(20))
            } catch {
                log.ended(by: error)
                return
            }
            guard let id = published["result"]?["publication"]?.stringValue else {
                log.fail("publish.endpoint answered \(JSONWriter.write(published).text)")
                return
            }
            log.publication(id)
            index += 1
        }
    }

    // MARK: Damaged files

    @Test func aDamagedAgentsOrPublicationsFileStopsStartupAndNamesIt() async throws {
        let daemon = try await DaemonProcess.start()
        let alice = try await daemon.result("agent.create", ["label": "alice"])
        _ = try await daemon.result("publish.endpoint", [
            "agent": .string(alice.str("address")), "endpoints": Self.endpoints, "timeout_ms": 1000,
        ])
        #expect(try await daemon.stop() == 0)

        let agentsPath = daemon.dataDir + "/agents.json"
        let goodAgents = try E2EFileSystem.read(agentsPath)
        try E2EFileSystem.write(agentsPath, #"{"version":1,"agents":[{"address":"x""#)
        try await Self.expectStartupFailure(daemon, naming: agentsPath)
        try E2EFileSystem.write(agentsPath, goodAgents)

        // Well-formed JSON whose entry breaks a rule: the message points at the entry.
        let publicationsPath = daemon.dataDir + "/publications.json"
        let goodPublications = try E2EFileSystem.read(publicationsPath)
        try E2EFileSystem.write(publicationsPath, try Self.withFirstPublicationID("NOT-AN-ID", in: goodPublications))
        try await Self.expectStartupFailure(daemon, naming: publicationsPath, detail: "publications[0]")
        try E2EFileSystem.write(publicationsPath, goodPublications)

        // With the files repaired it starts again, so the damage was what stopped it.
        let repaired = try await daemon.restart()
        let listed = try await repaired.result("agent.list")["agents"]?.arrayValue?.map { $0.str("address") } ?? []
        #expect(listed == [alice.str("address")])
        #expect(try await repaired.stop() == 0)
    }

    /// A publication whose agent is gone (an agents file restored from an older copy, or one a
    /// remove/publish race left behind) is dropped at start-up with a log line naming it, not
    /// republished for ever (docs/jsonrpc.md, "Configuration and data directory").
    @Test func publicationsOfAnAgentNoLongerHeldAreDroppedAtStartup() async throws {
        let daemon = try await DaemonProcess.start()
        let alice = try await daemon.result("agent.create", ["label": "alice"])
        let bob = try await daemon.result("agent.create", ["label": "bob"])
        let orphan = try await daemon.result("publish.endpoint", [
            "agent": .string(alice.str("address")), "endpoints": Self.endpoints, "timeout_ms": 1000,
        ]).str("publication")
        let kept = try await daemon.result("publish.endpoint", [
            "agent": .string(bob.str("address")), "endpoints": Self.endpoints, "timeout_ms": 1000,
        ]).str("publication")
        let bobKey = try await daemon.result("agent.export", ["address": .string(bob.str("address")), "confirm": true])
        #expect(try await daemon.stop() == 0)

        // Alice disappears behind the daemon's back: the agent files hold only Bob.
        let bobEntry: JSONValue = [
            "address": .string(bob.str("address")), "private_key": .string(bobKey.str("private_key")),
            "label": "bob", "created_at": bob["created_at"] ?? 0,
        ]
        try E2EFileSystem.write(daemon.dataDir + "/agents.json", JSONWriter.write(JSONValue.object(["version": 1, "agents": [bobEntry]])))
        _ = unlink(daemon.dataDir + "/agents.journal")

        let logged = daemon.stderr.utf8.count
        let again = try await daemon.restart()
        let listed = Self.publicationRows(try await again.result("publish.list")).map(\.id)
        #expect(listed == [kept], "publish.list after the restart: \(listed)")
        let onDisk = try JSONParser.parse(try E2EFileSystem.read(daemon.dataDir + "/publications.json"))
        let ids = onDisk["publications"]?.arrayValue?.map { $0.str("id") } ?? []
        #expect(ids == [kept], "publications.json after the restart: \(ids)")
        let log = E2EFileSystem.text(again.stderr, after: logged)
        #expect(log.contains(orphan), "the log should name the dropped publication \(orphan); stderr:\n\(log)")
        #expect(try await again.stop() == 0)
    }

    /// The peer cache only speeds up joining: a damaged one is set aside, not fatal.
    @Test func aDamagedPeerCacheIsSetAsideAndTheDaemonStarts() async throws {
        let daemon = try await DaemonProcess.start()
        #expect(try await daemon.stop() == 0)
        let peersPath = daemon.dataDir + "/peers.json"
        let damage = #"{"version":1,"peers":[{"node_id":"#
        try E2EFileSystem.write(peersPath, damage)

        let logged = daemon.stderr.utf8.count
        let again = try await daemon.restart()
        #expect(try await again.result("node.info").str("data_dir") == daemon.dataDir)
        #expect(try E2EFileSystem.read(peersPath + ".damaged") == Array(damage.utf8), "the damaged cache is kept for a post-mortem")
        #expect(!E2EFileSystem.exists(peersPath))
        let log = E2EFileSystem.text(again.stderr, after: logged)
        #expect(log.contains(peersPath), "the warning should name the damaged file; stderr:\n\(log)")
        #expect(try await again.stop() == 0)
    }

    /// Restarts `daemon`'s directory expecting start-up to fail with `path` (and `detail`)
    /// in what this start wrote to stderr.
    static func expectStartupFailure(_ daemon: DaemonProcess, naming path: String, detail: String? = nil,
                                     sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let logged = daemon.stderr.utf8.count
        do {
            let unexpected = try await daemon.restart()
            Issue.record("the daemon started over a damaged \(path)", sourceLocation: sourceLocation)
            try await unexpected.stop()
        } catch let error as DaemonProcessError {
            let log = E2EFileSystem.text(daemon.stderr, after: logged)
            #expect(error.description.contains("exited with status") && !error.description.contains("exited with status 0"),
                    "\(error)", sourceLocation: sourceLocation)
            #expect(log.contains(path), "stderr does not name \(path):\n\(log)", sourceLocation: sourceLocation)
            if let detail {
                #expect(log.contains(detail), "stderr does not say \(detail):\n\(log)", sourceLocation: sourceLocation)
            }
        }
    }

    /// `publications.json` with the first entry's id replaced.
    static func withFirstPublicationID(_ id: String, in bytes: [UInt8]) throws -> [UInt8] {
        guard case .object(var file) = try JSONParser.parse(bytes),
              case .array(var entries)? = file["publications"], case .object(var first)? = entries.first else {
            throw TestFileError("publications.json does not hold a publication: \(bytes.text)")
        }
        first["id"] = .string(id)
        entries[0] = .object(first)
        file["publications"] = .array(entries)
        return JSONWriter.write(.object(file))
    }

    // MARK: Peer cache

    @Test func aRestartedNodeRejoinsThroughItsPeerCache() async throws {
        let seed = try await DaemonProcess.start()
        let seedInfo = try await seed.result("node.info")
        let seedUDP = try #require(seedInfo["listen_addrs"]?.arrayValue?.first?.stringValue)
        let joiner = try await DaemonProcess.start(extraArguments: ["--bootstrap", seedUDP])
        let seedID = seedInfo.str("node_id")
        // The cache keeps only peers the node verified itself, so wait for exactly that.
        let joined = try await E2EPoll.until(within: .seconds(20)) { () async throws -> Bool? in
            let stats = try await joiner.result("node.stats")
            guard stats["routing"]?["total_peers"]?.intValue ?? 0 >= 1 else { return nil }
            let buckets = try await joiner.result("node.routing")["buckets"]?.arrayValue ?? []
            let entry = buckets.flatMap { $0["nodes"]?.arrayValue ?? [] }.first { $0.str("node_id") == seedID }
            return entry?["verified_at"]?.intValue != nil ? true : nil
        }
        #expect(joined != nil, "the joiner never had the seed verified in its routing table")
        #expect(try await joiner.stop() == 0)

        let cache = try JSONParser.parse(try E2EFileSystem.read(joiner.dataDir + "/peers.json"))
        let cachedIDs = cache["peers"]?.arrayValue?.map { $0.str("node_id") } ?? []
        #expect(cachedIDs.contains(seedID), "peers.json lacks the seed: \(JSONWriter.write(cache).text)")

        // No --bootstrap this time and a new UDP port: only the cache can lead back to the seed.
        let rejoiner = try await joiner.restart()
        let rejoined = try await E2EPoll.until(within: .seconds(20)) { () async throws -> Bool? in
            try await rejoiner.result("node.info")["routing_table_size"]?.intValue ?? 0 >= 1 ? true : nil
        }
        #expect(rejoined != nil, "the restarted node did not rejoin through peers.json within 20 s; stderr:\n\(rejoiner.stderr)")
        #expect(try await rejoiner.stop() == 0)
        #expect(try await seed.stop() == 0)
    }

    // MARK: Reading results

    struct AgentRow: Equatable {
        let address, nodeID, label: String
        let createdAt: Int64?
    }

    struct PublicationRow: Equatable {
        let id, kind, agent, key: String
        let seq: Int64
    }

    static func agentRows(_ list: JSONValue) -> [AgentRow] {
        (list["agents"]?.arrayValue ?? []).map {
            AgentRow(address: $0.str("address"), nodeID: $0.str("node_id"), label: $0.str("label"),
                     createdAt: $0["created_at"]?.intValue)
        }
    }

    static func publicationRows(_ list: JSONValue) -> [PublicationRow] {
        (list["publications"]?.arrayValue ?? []).map {
            PublicationRow(id: $0.str("id"), kind: $0.str("kind"), agent: $0.str("agent"), key: $0.str("key"),
                           seq: $0["seq"]?.u64FromEither.map(Int64.init) ?? -1)
        }
    }
}

/// What the writer of the crash test had acknowledged when its connection was cut, and
/// anything other than a cut connection that stopped it.
final class AcknowledgedWrites: Sendable {
    private let state = Mutex<(agents: [String], publications: [String], fault: String?)>(([], [], nil))

    var agentCount: Int { state.withLock { $0.agents.count } }
    func agent(_ address: String) { state.withLock { $0.agents.append(address) } }
    func publication(_ id: String) { state.withLock { $0.publications.append(id) } }
    func fail(_ text: String) { state.withLock { $0.fault = text } }

    /// A killed daemon shows as a closed connection; anything else is a fault.
    func ended(by error: any Error) {
        if let e = error as? RPCClientError, e.kind == .closed { return }
        fail("the connection failed other than by being closed: \(error)")
    }

    func snapshot() -> (agents: [String], publications: [String], fault: String?) {
        state.withLock { ($0.agents, $0.publications, $0.fault) }
    }
}

/// Files in a daemon's directory, looked at the way the daemon leaves them.
enum E2EFileSystem {
    /// Permission bits of `path` itself (not a link target); nil when it does not exist.
    static func mode(_ path: String) -> UInt32? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return UInt32(info.st_mode) & 0o777
    }

    static func exists(_ path: String) -> Bool { mode(path) != nil }

    static func isSocket(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFSOCK
    }

    static func read(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw TestFileError("cannot read \(path)") }
        return [UInt8](data)
    }

    /// Replaces the file's content, mode 0600 as the daemon keeps it (so the daemon judges the
    /// content, not the permissions).
    static func write(_ path: String, _ bytes: [UInt8]) throws {
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        } catch {
            throw TestFileError("cannot write \(path): \(error)")
        }
        guard chmod(path, 0o600) == 0 else {
            throw TestFileError("cannot chmod \(path): \(String(cString: strerror(errno)))")
        }
    }

    static func write(_ path: String, _ text: String) throws { try write(path, Array(text.utf8)) }

    /// What a log gained after its first `offset` bytes (stderr.log is shared by every run
    /// on a directory, so each run's part is told apart by where the file ended before it).
    static func text(_ log: String, after offset: Int) -> String {
        String(decoding: Array(log.utf8).dropFirst(offset), as: UTF8.self)
    }
}

/// Waiting for something the daemon does in the background (liveness only, never a timing
/// assertion).
enum E2EPoll {
    /// Polls `probe` every 100 ms until it gives a value; nil when `timeout` passes first.
    static func until<T: Sendable>(within timeout: Duration,
                                   _ probe: () async throws -> T?) async throws -> T? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let value = try await probe() { return value }
            if ContinuousClock.now >= deadline { return nil }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
