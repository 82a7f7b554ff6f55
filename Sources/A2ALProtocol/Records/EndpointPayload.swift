import A2ALCore

/// Payload of an endpoint record (rec_type 0x01, docs/protocol.md §4.6).
public struct EndpointPayload: Hashable, Sendable, CBOREncodable {
    public static let maxNATType: UInt8 = 4
    public static let maxSignalLength = 2048
    public static let maxTurns = 16
    public static let maxTurnLength = 512
    public static let maxSignals = 8

    /// `quic://HOST:PORT` URLs; nil is encoded as `null` (not omitempty).
    public var endpoints: [String]?
    /// 0 unknown, 1 full cone, 2 restricted, 3 port-restricted, 4 symmetric.
    public var natType: UInt8
    /// Primary signalling URL (omitempty).
    public var signal: String
    /// TURN relay hints (omitempty).
    public var turns: [String]
    /// Signalling URLs (omitempty); when present, signal == signals[0].
    public var signals: [String]

    public init(endpoints: [String]?, natType: UInt8 = 0, signal: String = "", turns: [String] = [],
                signals: [String] = []) {
        self.endpoints = endpoints
        self.natType = natType
        self.signal = signal
        self.turns = turns
        self.signals = signals
    }

    public func encode(to w: inout CBORWriter) {
        w.mapHeader(2 + (signal.isEmpty ? 0 : 1) + (turns.isEmpty ? 0 : 1) + (signals.isEmpty ? 0 : 1))
        w.uint(1); w.nullableTextArray(endpoints)
        w.uint(2); w.uint(natType)
        if !signal.isEmpty { w.uint(3); w.text(signal) }
        if !turns.isEmpty { w.uint(4); w.nullableTextArray(turns) }
        if !signals.isEmpty { w.uint(5); w.nullableTextArray(signals) }
    }


    public init(cbor: CBOR) throws(CBORError) {
        let f = try CBORFields(cbor, context: "endpoint")
        endpoints = try f.textArray(1)
        natType = UInt8(try f.uint(2, max: UInt64(UInt8.max)))
        signal = try f.text(3)
        turns = try f.textArray(4) ?? []
        signals = try f.textArray(5) ?? []
    }

    public init(encoded bytes: [UInt8]) throws(CBORError) {
        try self.init(cbor: try CBOR.decode(bytes))
    }

    /// Limits of docs/protocol.md §4.3 (no limit on `endpoints`).
    public func validate() throws(RecordError) {
        guard natType <= Self.maxNATType else { throw .invalidPayload("nat_type \(natType) > 4") }
        guard signal.utf8.count <= Self.maxSignalLength else { throw .invalidPayload("signal longer than 2048 bytes") }
        guard turns.count <= Self.maxTurns else { throw .invalidPayload("more than 16 turns") }
        guard turns.allSatisfy({ $0.utf8.count <= Self.maxTurnLength }) else {
            throw .invalidPayload("a turn URL is longer than 512 bytes")
        }
        guard signals.count <= Self.maxSignals else { throw .invalidPayload("more than 8 signals") }
        guard signals.allSatisfy({ $0.utf8.count <= Self.maxSignalLength }) else {
            throw .invalidPayload("a signal URL is longer than 2048 bytes")
        }
    }
}
