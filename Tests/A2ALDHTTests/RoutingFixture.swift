import A2ALCore
import A2ALProtocol
@testable import A2ALDHT
import A2ALSimulation

/// Shared builders for the routing-table tests.
enum RoutingFixture {
    /// The spec's helper IDs: `[msb, 0…0, tail]`.
    static func id(_ msb: UInt8, _ tail: UInt8 = 0, second: UInt8 = 0) -> NodeID {
        var b = [UInt8](repeating: 0, count: 32)
        b[0] = msb
        b[1] = second
        b[31] = tail
        return NodeID(bytes: b) ?? .zero
    }

    static func endpoint(_ ip: String, _ port: UInt16 = 1) -> WireEndpoint {
        WireEndpoint(ip: IPAddress(text: ip) ?? IPAddress(ipv4: 0x7f00_0001), port: port)
    }

    /// A contact at 127.0.0.1:1 (exempt from prefix limits), without an address.
    static func contact(_ id: NodeID, ip: String = "127.0.0.1", port: UInt16 = 1) -> Contact {
        Contact(nodeID: id, endpoint: endpoint(ip, port))
    }

    static func tick(seconds: Double) -> Tick { Tick(nanoseconds: Int64(seconds * 1e9)) }

    /// A table with self = all zero and the default limits.
    static func table(selfID: NodeID = .zero, limits: RoutingLimits = .default) -> RoutingTable {
        RoutingTable(selfID: selfID, limits: limits)
    }

    /// Fills bucket 0 (self all zero) with `n` verified entries `0x80…tail` for tail 1…n.
    static func fillBucketZero(_ t: inout RoutingTable, count n: Int = NodeConstants.k,
                               verifiedAt: Tick = .zero, now: Tick = .zero) {
        for tail in 1...n {
            _ = t.add(contact(id(0x80, UInt8(tail))), verifiedAt: verifiedAt, learnedFrom: nil, now: now)
        }
    }

    /// A deterministic ID whose common prefix with `selfID` is exactly `bucket` bits.
    static func id(inBucket bucket: Int, of selfID: NodeID, using rng: inout RoutingTestRandom) -> NodeID {
        var bytes = selfID.bytes
        for i in 0..<32 { bytes[i] = UInt8.random(in: 0...255, using: &rng) }
        let own = selfID.bytes
        for bit in 0...bucket {
            let mask = UInt8(0x80) >> UInt8(bit % 8)
            let wanted = (own[bit / 8] & mask) ^ (bit == bucket ? mask : 0)
            bytes[bit / 8] = (bytes[bit / 8] & ~mask) | wanted
        }
        return NodeID(bytes: bytes) ?? selfID
    }

    static func randomID(using rng: inout RoutingTestRandom) -> NodeID {
        NodeID(bytes: (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }) ?? .zero
    }

    /// The `count` IDs of `pool` closest to `key`, closest first: a lookup's closest answers.
    static func closest(_ pool: [NodeID], to key: NodeID, count: Int = NodeConstants.k) -> [NodeID] {
        Array(pool.sorted { $0.distance(to: key) < $1.distance(to: key) }.prefix(count))
    }

    /// An identity ground next to `key` (docs/routing.md §3.14): it shares `bits` to `bits` + 3
    /// leading bits with the key, the rest random.
    static func ground(near key: NodeID, bits: Int, using rng: inout RoutingTestRandom) -> NodeID {
        id(inBucket: min(bits + Int.random(in: 0..<4, using: &rng), 255), of: key, using: &rng)
    }

    /// Adds `id` as a verified entry (no prefix limits apply to the fixture's loopback contacts).
    static func addVerified(_ id: NodeID, to t: inout RoutingTable) {
        _ = t.add(contact(id), verifiedAt: .zero, learnedFrom: nil, now: .zero)
    }

    /// The table `me` holds in an `n`-node network: bucket c, for c below `buckets`, holds
    /// min(K, n/2^(c+1)) entries, at least one.
    static func table(of me: NodeID, network n: Int, buckets: Int, using rng: inout RoutingTestRandom) -> RoutingTable {
        var t = RoutingTable(selfID: me, limits: .unlimited)
        for c in 0..<buckets {
            for _ in 0..<min(NodeConstants.k, max(1, n >> (c + 1))) { addVerified(id(inBucket: c, of: me, using: &rng), to: &t) }
        }
        return t
    }
}

/// A small seeded generator so property tests are reproducible.
typealias RoutingTestRandom = SplitMix64

extension AddOutcome {
    var checkedEntry: RoutingEntry? {
        if case .checkLRU(let e) = self { return e }
        return nil
    }
    var isInserted: Bool { if case .inserted = self { return true }; return false }
    var isRefreshed: Bool { if case .refreshed = self { return true }; return false }
    var isCached: Bool { if case .cached = self { return true }; return false }
    var rejection: RejectReason? { if case .rejected(let r) = self { return r }; return nil }
}
