import A2ALCore
import A2ALThreads

/// The peer cache for a warm bootstrap, `peers.json` (mode 0600):
/// `{"version": 1, "peers": [...]}`, most recently seen first.
package final class PeerCache: Sendable {
    static let currentVersion = 1
    /// Enough known peers to rejoin through after a restart even if most have gone.
    package static let defaultCapacity = 256

    package let path: String
    package let capacity: Int
    private let peers: SleepingLock<[CachedPeer]>

    /// Loads the cache; a missing file is an empty cache, a damaged one an error naming it.
    package init(path: String, capacity: Int) throws(DataFileError) {
        self.path = path
        self.capacity = max(0, capacity)
        peers = SleepingLock(Self.trimmed(try Self.load(path), capacity: max(0, capacity)))
    }

    /// The cached peers, most recently seen first.
    package func load() -> [CachedPeer] {
        peers.withLock { $0 }
    }

    /// Replaces the cache with the `capacity` most recently seen of `peers` (one entry per
    /// node id). Entries that would not load back (bad node id, address or "ip:port") are
    /// left out, so what is saved always loads.
    package func save(_ peers: [CachedPeer]) throws(DataFileError) {
        let kept = Self.trimmed(peers.filter { $0.fault == nil }, capacity: capacity)
        try self.peers.withLock { (current: inout [CachedPeer]) throws(DataFileError) in
            try JSONDataFile.write(PeersFile(version: Self.currentVersion, peers: kept), to: path)
            current = kept
        }
    }

    /// Newest first, one per node id, at most `capacity`.
    private static func trimmed(_ peers: [CachedPeer], capacity: Int) -> [CachedPeer] {
        var seen = Set<String>()
        var out: [CachedPeer] = []
        // Stable on ties so the result does not depend on the sort's internals.
        let ordered = peers.enumerated().sorted {
            ($0.element.lastSeen, $1.offset) > ($1.element.lastSeen, $0.offset)
        }
        for (_, peer) in ordered where out.count < capacity {
            if seen.insert(peer.nodeID).inserted { out.append(peer) }
        }
        return out
    }

    private static func load(_ path: String) throws(DataFileError) -> [CachedPeer] {
        guard let bytes = try JSONDataFile.readIfPresent(path) else { return [] }
        let file = try JSONDataFile.decode(PeersFile.self, from: bytes, path: path, version: currentVersion)
        for (index, peer) in file.peers.enumerated() {
            if let fault = peer.fault { throw DataFileError(path: path, reason: "peers[\(index)]: \(fault)") }
        }
        return file.peers
    }
}

struct PeersFile: Codable {
    var version: Int
    var peers: [CachedPeer]
}

extension CachedPeer {
    /// Why this entry is unusable, or nil.
    var fault: String? {
        if !Publication.isLowercaseHex(nodeID, count: 64) {
            return "node_id \"\(nodeID)\" must be 64 lowercase hex characters"
        }
        do {
            _ = try Address(text: address)
        } catch {
            return "address \"\(address)\" is not a valid address (\(error))"
        }
        if let problem = HostPort.problem(addr, allowPortZero: false) {
            return "addr \"\(addr)\" is not ip:port (\(problem))"
        }
        return nil
    }
}
