import A2ALRPC

package enum PublicationKind: String, Codable, Sendable {
    case endpoint, topic, custom
}

/// What `publish.endpoint` signs, kept so the record can be rebuilt and re-signed on renewal.
package struct EndpointFields: Codable, Sendable, Equatable {
    package var endpoints: [String]
    package var natType: UInt8
    package var signal: String
    package var turns: [String]
    package var signals: [String]
    /// `"endpoints": "auto"`: the daemon fills in its public address and keeps it current
    /// (docs/jsonrpc.md, publish.endpoint); nil in files written before it existed.
    package var endpointsAuto: Bool?
    /// `"nat_type": "auto"`: the daemon's NAT classification.
    package var natTypeAuto: Bool?

    package init(endpoints: [String], natType: UInt8 = 0, signal: String = "", turns: [String] = [],
                signals: [String] = [], endpointsAuto: Bool? = nil, natTypeAuto: Bool? = nil) {
        self.endpoints = endpoints
        self.natType = natType
        self.signal = signal
        self.turns = turns
        self.signals = signals
        self.endpointsAuto = endpointsAuto
        self.natTypeAuto = natTypeAuto
    }

    /// True when part of the record is the daemon's to keep current.
    package var followsNAT: Bool { endpointsAuto == true || natTypeAuto == true }

    enum CodingKeys: String, CodingKey {
        case endpoints, natType = "nat_type", signal, turns, signals
        case endpointsAuto = "endpoints_auto", natTypeAuto = "nat_type_auto"
    }
}

/// What `publish.topic` signs.
package struct TopicFields: Codable, Sendable, Equatable {
    package var topic: String
    package var name: String
    package var protocols: [String]
    package var tags: [String]
    package var brief: String
    /// The meta object as compact JSON text.
    package var metaJSON: String

    package init(topic: String, name: String, protocols: [String] = [], tags: [String] = [],
                brief: String = "", metaJSON: String = "{}") {
        self.topic = topic
        self.name = name
        self.protocols = protocols
        self.tags = tags
        self.brief = brief
        self.metaJSON = metaJSON
    }

    enum CodingKeys: String, CodingKey {
        case topic, name, protocols, tags, brief, metaJSON = "meta_json"
    }
}

/// What `publish.custom` signs. `data` is base64 in the file.
package struct CustomFields: Codable, Sendable, Equatable {
    package var recType: UInt8
    package var data: [UInt8]

    package init(recType: UInt8, data: [UInt8]) {
        self.recType = recType
        self.data = data
    }

    enum CodingKeys: String, CodingKey {
        case recType = "rec_type", data
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        recType = try container.decode(UInt8.self, forKey: .recType)
        let text = try container.decode(String.self, forKey: .data)
        guard let bytes = Base64Text.decode(text) else {
            throw DecodingError.dataCorruptedError(forKey: .data, in: container,
                                                   debugDescription: "not standard padded base64")
        }
        data = bytes
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(recType, forKey: .recType)
        try container.encode(Base64Text.encode(data), forKey: .data)
    }
}

/// A record the daemon keeps published for one of its agents: stored in
/// `publications.json` and republished (re-signed with a higher seq) after a restart.
package struct Publication: Codable, Sendable, Equatable {
    /// 16 lowercase hex characters, random (`PublicationStore.newID()`).
    package var id: String
    package var kind: PublicationKind
    /// The agent's address text.
    package var agent: String
    /// The store key, 64 lowercase hex characters.
    package var key: String
    package var ttlSeconds: UInt32
    /// Unix seconds.
    package var createdAt: UInt64
    /// The seq last signed, so a restart continues with a higher one.
    package var lastSeq: UInt64
    package var endpoint: EndpointFields?
    package var topicFields: TopicFields?
    package var custom: CustomFields?

    package init(id: String, kind: PublicationKind, agent: String, key: String, ttlSeconds: UInt32,
                createdAt: UInt64, lastSeq: UInt64, endpoint: EndpointFields? = nil,
                topicFields: TopicFields? = nil, custom: CustomFields? = nil) {
        self.id = id
        self.kind = kind
        self.agent = agent
        self.key = key
        self.ttlSeconds = ttlSeconds
        self.createdAt = createdAt
        self.lastSeq = lastSeq
        self.endpoint = endpoint
        self.topicFields = topicFields
        self.custom = custom
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, agent, key
        case ttlSeconds = "ttl_s"
        case createdAt = "created_at"
        case lastSeq = "last_seq"
        case endpoint
        case topicFields = "topic"
        case custom
    }

    /// Two publications with the same slot describe the same record: the later replaces the
    /// earlier. Custom records of different types by the same agent at the same key coexist.
    var slot: PublicationSlot {
        PublicationSlot(kind: kind, agent: agent, key: key, recType: kind == .custom ? custom?.recType : nil)
    }
}

struct PublicationSlot: Hashable {
    let kind: PublicationKind
    let agent: String
    let key: String
    let recType: UInt8?
}
