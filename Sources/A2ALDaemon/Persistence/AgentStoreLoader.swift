import A2ALCore
import A2ALRPC
import Glibc

/// What `AgentStore` finds on disk: `agents.json` (the snapshot) with `agents.journal` replayed
/// over it.
struct LoadedAgents {
    /// Ordered by creation time (ties in the order they were added).
    var agents: [HeldAgent]
    var snapshotExists: Bool
    /// Agents in `agents.json`.
    var snapshotCount: Int
    /// Bytes and lines of the journal that were whole.
    var journalLength: Int
    var journalLines: Int
    /// Bytes after the last complete journal line: a write a crash interrupted, ignored.
    var tornTailBytes: Int
}

/// Reads and checks the agent files. Every fault is an error naming the file and the entry
/// ("agents[3]: ...", "line 7: ..."), except a torn last journal line, which a crash mid-append
/// leaves behind and which is reported instead (docs/jsonrpc.md, "Configuration and data
/// directory").
enum AgentStoreLoader {
    static func load(snapshot path: String, journal journalPath: String) throws(DataFileError) -> LoadedAgents {
        var state = AgentReplay()
        var snapshotExists = false
        if let bytes = try JSONDataFile.readIfPresent(path) {
            snapshotExists = true
            try refuseOpenPermissions(path)
            let file = try JSONDataFile.decode(AgentsFile.self, from: bytes, path: path, version: AgentsFile.currentVersion)
            for (index, entry) in file.agents.enumerated() {
                let agent: HeldAgent
                do throws(AgentEntryFault) {
                    agent = try HeldAgent(entry: entry)
                } catch {
                    throw DataFileError(path: path, reason: "agents[\(index)]: \(error.text)")
                }
                if let first = state.snapshotIndex(of: agent.address) {
                    throw DataFileError(path: path, reason: "agents[\(index)]: the same address as agents[\(first)]")
                }
                state.hold(agent, snapshotIndex: index)
            }
        }
        let snapshotCount = state.count
        var journal = (length: 0, lines: 0, torn: 0)
        if let bytes = try JSONDataFile.readIfPresent(journalPath) {
            try refuseOpenPermissions(journalPath)
            journal = try replay(bytes, path: journalPath, into: &state)
        }
        return LoadedAgents(agents: state.ordered(), snapshotExists: snapshotExists, snapshotCount: snapshotCount,
                            journalLength: journal.length, journalLines: journal.lines, tornTailBytes: journal.torn)
    }

    /// Applies every complete line of the journal, in order.
    private static func replay(_ bytes: [UInt8], path: String,
                               into state: inout AgentReplay) throws(DataFileError) -> (length: Int, lines: Int, torn: Int) {
        var start = 0
        var number = 0
        while let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
            number += 1
            let text = Array(bytes[start..<end])
            // Syntax through the daemon's one JSON parser, so a fault names its column too.
            do throws(JSONParseError) {
                _ = try JSONParser.parse(text)
            } catch {
                let column = error.position(in: text).column
                throw DataFileError(path: path, reason: "line \(number), column \(column): \(error.reason)")
            }
            let line = try JSONDataFile.typed(AgentJournalLine.self, from: text, path: path, context: "line \(number): ")
            switch line.op {
            case .add:
                do throws(AgentEntryFault) {
                    state.hold(try line.agent())
                } catch {
                    throw DataFileError(path: path, reason: "line \(number): \(error.text)")
                }
            case .remove:
                guard let address = try? Address(text: line.address) else {
                    throw DataFileError(path: path, reason: "line \(number): address \"\(line.address)\" is not a valid address")
                }
                state.forget(address)
            }
            start = end + 1
        }
        return (start, number, bytes.count - start)
    }

    /// The ssh rule, as for identity.key: private keys that group or others can read may
    /// already be compromised, and silently using them would hide that.
    static func refuseOpenPermissions(_ path: String) throws(DataFileError) {
        var status = stat()
        guard stat(path, &status) == 0 else { return }  // just read; a race here changes nothing
        let mode = UInt16(status.st_mode & 0o777)
        guard mode & 0o077 == 0 else {
            throw DataFileError(path: path, reason: "permissions \(ConfigRules.octal(mode)) are too open: "
                + "the file holds private keys and must not be accessible by group or others; run chmod 600 on it")
        }
    }
}

/// The agents as a replay leaves them: by address, each with the position it was added at, so
/// that the final order is by creation time with ties in the order of adding.
private struct AgentReplay {
    private var held: [Address: (position: Int, agent: HeldAgent)] = [:]
    private var snapshotIndexes: [Address: Int] = [:]
    private var nextPosition = 0

    var count: Int { held.count }

    func snapshotIndex(of address: Address) -> Int? { snapshotIndexes[address] }

    /// Holds `agent`, replacing (in place) one with the same address.
    mutating func hold(_ agent: HeldAgent, snapshotIndex: Int? = nil) {
        if let snapshotIndex { snapshotIndexes[agent.address] = snapshotIndex }
        if let existing = held[agent.address] {
            held[agent.address] = (existing.position, agent)
        } else {
            held[agent.address] = (nextPosition, agent)
            nextPosition += 1
        }
    }

    mutating func forget(_ address: Address) { held[address] = nil }

    func ordered() -> [HeldAgent] {
        held.values.sorted { ($0.agent.createdAt, $0.position) < ($1.agent.createdAt, $1.position) }.map(\.agent)
    }
}
