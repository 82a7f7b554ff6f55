import A2ALCore

/// `PeerHealthRecord` as the health table stores it: optional instants and the RTT as plain
/// 64-bit nanoseconds with `Int64.min` for "never", 56 bytes instead of 96 — the table holds
/// one per peer contacted (docs/routing.md §8.1). Converting both ways is lossless.
struct PackedHealthRecord: Sendable, Equatable {
    private static let never = Int64.min

    private var lastSuccess: Int64
    private var lastFailure: Int64
    private var nextRetryAt: Int64
    private var lastTouched: Int64
    private var rttNanoseconds: Int64
    private var totalAttempts: UInt64
    private var failCount: Int

    init(_ record: PeerHealthRecord) {
        lastSuccess = Self.pack(record.lastSuccess)
        lastFailure = Self.pack(record.lastFailure)
        nextRetryAt = Self.pack(record.nextRetryAt)
        lastTouched = record.lastTouched.nanoseconds
        rttNanoseconds = record.rtt.map(\.nanosecondsClamped) ?? Self.never
        totalAttempts = record.totalAttempts
        failCount = record.failCount
    }

    var record: PeerHealthRecord {
        PeerHealthRecord(lastSuccess: Self.unpack(lastSuccess), lastFailure: Self.unpack(lastFailure),
                         failCount: failCount, totalAttempts: totalAttempts,
                         rtt: rttNanoseconds == Self.never ? nil : .nanoseconds(rttNanoseconds),
                         nextRetryAt: Self.unpack(nextRetryAt), lastTouched: Tick(nanoseconds: lastTouched))
    }

    var lastTouchedTick: Tick { Tick(nanoseconds: lastTouched) }
    var lastFailureTick: Tick? { Self.unpack(lastFailure) }
    var nextRetryTick: Tick? { Self.unpack(nextRetryAt) }
    var measuredRTT: Duration? { rttNanoseconds == Self.never ? nil : .nanoseconds(rttNanoseconds) }
    var attempts: UInt64 { totalAttempts }
    /// `PeerHealthRecord.health` without unpacking (it sits on the FIND_* answer path).
    var health: PeerHealth {
        if failCount >= PeerHealthTable.badFailureThreshold { return .bad }
        return lastSuccess != Self.never ? .good : .unknown
    }

    /// Applies `update` to the unpacked record and stores the result.
    mutating func update<R>(_ update: (inout PeerHealthRecord) -> R) -> R {
        var unpacked = record
        let result = update(&unpacked)
        self = PackedHealthRecord(unpacked)
        return result
    }

    private static func pack(_ tick: Tick?) -> Int64 { tick?.nanoseconds ?? never }
    private static func unpack(_ raw: Int64) -> Tick? { raw == never ? nil : Tick(nanoseconds: raw) }
}
