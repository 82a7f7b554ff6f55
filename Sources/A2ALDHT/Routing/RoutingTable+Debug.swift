import A2ALCore
import A2ALProtocol

/// One main-table entry as shown by /debug/routing (docs/routing.md §1.10).
public struct DebugPeerRow: Hashable, Sendable {
    public var bucket: Int
    /// XOR distance to our own ID, 64 hex characters.
    public var distanceHex: String
    /// Hex of the agent address, "" when unknown.
    public var addressHex: String
    public var nodeIDHex: String
    /// IP text, "" when there is no endpoint.
    public var ip: String
    /// 0 when there is no endpoint.
    public var port: UInt16
    /// Whole seconds since the entry was last verified (rounded half up); nil for hearsay.
    public var verifiedAgoSeconds: Int64?
}

extension RoutingTable {
    /// Every main entry, bucket 0 → 255, least → most recently seen.
    public func debugRows(now: Tick) -> [DebugPeerRow] {
        var rows: [DebugPeerRow] = []
        rows.reserveCapacity(count)
        for (b, bucket) in buckets.enumerated() {
            for entry in bucket.entries {
                let contact = entry.contact
                rows.append(DebugPeerRow(
                    bucket: b,
                    distanceHex: selfID.distance(to: contact.nodeID).bytes.hex,
                    addressHex: contact.address?.bytes.hex ?? "",
                    nodeIDHex: contact.nodeID.bytes.hex,
                    ip: contact.endpoint.map { "\($0.ip)" } ?? "",
                    port: contact.endpoint?.port ?? 0,
                    verifiedAgoSeconds: entry.verifiedAt.map { RoutingTable.wholeSeconds(now - $0) }))
            }
        }
        return rows
    }

    private static let nanosecondsPerSecond: Int64 = 1_000_000_000

    /// `d` rounded to whole seconds, half away from zero, never negative.
    static func wholeSeconds(_ d: Duration) -> Int64 {
        let ns = Swift.max(0, d.nanosecondsClamped)
        return ns / nanosecondsPerSecond + (ns % nanosecondsPerSecond >= nanosecondsPerSecond / 2 ? 1 : 0)
    }
}
