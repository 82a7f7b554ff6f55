import A2ALCore
import A2ALProtocol

/// How many record bytes the store may hold, in total and per source network (docs/security.md,
/// "Store floods"). The per-key caps alone let one peer fill gigabytes: 100,000 keys of 100
/// topic records each.
public struct StoreBudget: Sendable, Equatable {
    /// Record bytes held before the least-recently-accessed keys are evicted.
    public var maxBytes: Int
    /// Record bytes that the STOREs of one source network (IPv4 /24, IPv6 /64) may hold at once;
    /// further ones are refused. Private, loopback and link-local sources are not limited.
    public var maxBytesPerSource: Int

    public init(maxBytes: Int = StoreLimits.defaultMaxBytes, maxBytesPerSource: Int = StoreLimits.defaultMaxBytesPerSource) {
        self.maxBytes = maxBytes
        self.maxBytesPerSource = maxBytesPerSource
    }

    public static let `default` = StoreBudget()
}

extension SignedRecord {
    /// What a record costs the store's budget: its variable parts plus a fixed allowance for the
    /// rest of the record and its bookkeeping.
    var budgetBytes: Int { encodedSizeHint }
}

/// Bytes held per source network, and which source stored each record.
struct SourceUsage: Sendable {
    struct RecordRef: Hashable, Sendable {
        let key: NodeID
        let signature: [UInt8]
    }

    private(set) var bytesBySource: [SubnetKey: Int] = [:]
    private var sourceOf: [RecordRef: SubnetKey] = [:]

    func bytes(of source: SubnetKey) -> Int { bytesBySource[source] ?? 0 }

    mutating func add(_ record: VerifiedRecord, at key: NodeID, from source: SubnetKey) {
        let ref = RecordRef(key: key, signature: record.signature)
        if let previous = sourceOf[ref] { release(previous, record.budgetBytes) }
        sourceOf[ref] = source
        bytesBySource[source, default: 0] += record.budgetBytes
    }

    mutating func forget(_ records: [VerifiedRecord], at key: NodeID) {
        for r in records {
            guard let source = sourceOf.removeValue(forKey: RecordRef(key: key, signature: r.signature)) else { continue }
            release(source, r.budgetBytes)
        }
    }

    private mutating func release(_ source: SubnetKey, _ bytes: Int) {
        let left = (bytesBySource[source] ?? 0) - bytes
        bytesBySource[source] = left > 0 ? left : nil
    }
}
