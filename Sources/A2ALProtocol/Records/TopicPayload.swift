import A2ALCore

/// Payload of a topic record (rec_type 0x10, docs/protocol.md §4.7): an agent announcing a
/// capability.
public struct TopicPayload: Hashable, Sendable, CBOREncodable {
    public static let maxEncodedSize = 512
    public static let maxBriefCodePoints = 140

    /// Encoders write 1; a 0 is replaced by 1 before encoding.
    public var version: UInt64
    public var topic: String
    public var name: String
    public var protocols: [String]?
    public var tags: [String]?
    public var brief: String
    /// Free-form metadata with text keys (omitempty).
    public var meta: [String: CBOR]

    public init(topic: String, name: String = "", protocols: [String]? = nil, tags: [String]? = nil,
                brief: String = "", meta: [String: CBOR] = [:], version: UInt64 = 1) {
        self.version = version
        self.topic = topic
        self.name = name
        self.protocols = protocols
        self.tags = tags
        self.brief = brief
        self.meta = meta
    }

    public func encode(to w: inout CBORWriter) {
        w.mapHeader(meta.isEmpty ? 6 : 7)
        w.uint(1); w.uint(version == 0 ? 1 : version)
        w.uint(2); w.text(topic)
        w.uint(3); w.text(name)
        w.uint(4); w.nullableTextArray(protocols)
        w.uint(5); w.nullableTextArray(tags)
        w.uint(6); w.text(brief)
        if !meta.isEmpty {
            w.uint(7)
            // The generic writer sorts keys length-first, then bytewise, as the reference does.
            w.value(.map(meta.map { CBORPair(.text($0.key), $0.value) }))
        }
    }


    public init(cbor: CBOR) throws(CBORError) {
        let f = try CBORFields(cbor, context: "topic")
        version = try f.uint(1)
        topic = try f.text(2)
        name = try f.text(3)
        protocols = try f.textArray(4)
        tags = try f.textArray(5)
        brief = try f.text(6)
        var m: [String: CBOR] = [:]
        switch f.value(7) {
        case nil, .null?, .undefined?:
            break
        case .map(let pairs)?:
            for p in pairs {
                guard case .text(let k) = CBORFields.untag(p.key) else {
                    throw .badMapKey(field: "topic.7", got: p.key.kindName)
                }
                m[k] = p.value
            }
        case let other?:
            throw .typeMismatch(field: "topic.7", expected: "map", got: other.kindName)
        }
        meta = m
    }

    public init(encoded bytes: [UInt8]) throws(CBORError) {
        try self.init(cbor: try CBOR.decode(bytes))
    }

    /// Receiver rules: non-empty topic, brief of at most 140 code points.
    public func validate() throws(RecordError) {
        guard !topic.isEmpty else { throw .invalidPayload("topic is empty") }
        guard brief.unicodeScalars.count <= Self.maxBriefCodePoints else {
            throw .invalidPayload("brief longer than 140 code points")
        }
    }

    /// The DHT key this payload's record belongs at.
    public var key: NodeID { TopicKey.key(for: topic) }
}
