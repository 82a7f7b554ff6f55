/// What a client asks to publish: one of the three kinds a publication can hold.
package enum PublicationFields: Sendable, Equatable {
    case endpoint(EndpointFields)
    case topic(TopicFields)
    case custom(CustomFields)

    package var kind: PublicationKind {
        switch self {
        case .endpoint: return .endpoint
        case .topic: return .topic
        case .custom: return .custom
        }
    }

    /// The record type of a custom publication (its slot includes the type).
    var customType: UInt8? {
        if case .custom(let c) = self { return c.recType }
        return nil
    }

    /// The fields a stored publication holds, nil when its kind's fields are missing.
    init?(_ p: Publication) {
        switch p.kind {
        case .endpoint:
            guard let f = p.endpoint else { return nil }
            self = .endpoint(f)
        case .topic:
            guard let f = p.topicFields else { return nil }
            self = .topic(f)
        case .custom:
            guard let f = p.custom else { return nil }
            self = .custom(f)
        }
    }

    /// Puts the fields into `p` (clearing the other kinds').
    func apply(to p: inout Publication) {
        p.kind = kind
        p.endpoint = nil
        p.topicFields = nil
        p.custom = nil
        switch self {
        case .endpoint(let f): p.endpoint = f
        case .topic(let f): p.topicFields = f
        case .custom(let f): p.custom = f
        }
    }
}

/// Record types `publish.custom` may use: everything outside the endpoint (0x01–0x0F), topic
/// (0x10–0x1F) and mailbox (0x80–0x8F) ranges, whose payloads have rules of their own, and
/// outside 0x00, which lookups read as "any type".
package enum CustomRecordTypes {
    package static func isAllowed(_ type: UInt8) -> Bool {
        (0x20...0x7F).contains(type) || (0x90...0xFF).contains(type)
    }

    package static let allowedText = "0x20-0x7f (32-127) or 0x90-0xff (144-255)"
}
