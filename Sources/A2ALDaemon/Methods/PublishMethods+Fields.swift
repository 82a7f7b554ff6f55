import A2ALCore
import A2ALProtocol
import A2ALRPC

/// The kind-specific params of publish.endpoint / topic / custom. Limits of the wire rules
/// (docs/protocol.md §4.3) are checked here so the error names the offending parameter; the
/// publisher checks the built payload again as a whole.
extension PublishMethods {
    /// Longest topic, name, protocol or tag accepted (the whole topic payload is capped at 512
    /// bytes anyway).
    static let maxTopicTextBytes = 256
    static let maxTopicListCount = 32
    /// Endpoint URLs per record; the record must fit a datagram long before this.
    static let maxEndpoints = 32
    static let maxEndpointLength = 1024
    /// Largest custom payload accepted before the datagram-size check.
    static let maxCustomBytes = 1024

    static func endpointFields(_ p: RPCParams) throws(RPCError) -> PublicationFields {
        // "auto": the daemon's public address and NAT class, kept current (Publisher+NAT.swift).
        let endpointsAuto = p.raw("endpoints") == .string("auto")
        let natTypeAuto = p.raw("nat_type") == .string("auto")
        let endpoints = endpointsAuto ? []
            : try p.stringArray("endpoints", maxCount: maxEndpoints, maxLength: maxEndpointLength)
        guard let endpoints else {
            throw p.invalid("endpoints", "required array of endpoint URLs (e.g. \"quic://203.0.113.7:4001\") or \"auto\" is missing; give [] for none")
        }
        let natType = natTypeAuto ? 0 : try p.int("nat_type", in: 0...Int64(EndpointPayload.maxNATType), default: 0)
        var signal = try p.optionalString("signal") ?? ""
        guard signal.utf8.count <= EndpointPayload.maxSignalLength else {
            throw p.invalid("signal", "longer than \(EndpointPayload.maxSignalLength) bytes")
        }
        let turns = try p.stringArray("turns", maxCount: EndpointPayload.maxTurns, maxLength: EndpointPayload.maxTurnLength) ?? []
        let signals = try p.stringArray("signals", maxCount: EndpointPayload.maxSignals,
                                        maxLength: EndpointPayload.maxSignalLength) ?? []
        // docs/protocol.md §4.6: when signals are given, signal is their first.
        if let first = signals.first {
            if signal.isEmpty {
                signal = first
            } else if signal != first {
                throw p.invalid("signal", "must equal signals[0] (\"\(first)\") when signals is given; or leave it out")
            }
        }
        return .endpoint(EndpointFields(endpoints: endpoints, natType: UInt8(natType), signal: signal, turns: turns,
                                        signals: signals, endpointsAuto: endpointsAuto ? true : nil,
                                        natTypeAuto: natTypeAuto ? true : nil))
    }

    static func topicFields(_ p: RPCParams) throws(RPCError) -> PublicationFields {
        let topic = try p.string("topic")
        guard !topic.isEmpty else { throw p.invalid("topic", "must not be empty") }
        guard topic.utf8.count <= maxTopicTextBytes else { throw p.invalid("topic", "longer than \(maxTopicTextBytes) bytes") }
        let name = try p.optionalString("name") ?? ""
        guard name.utf8.count <= maxTopicTextBytes else { throw p.invalid("name", "longer than \(maxTopicTextBytes) bytes") }
        let protocols = try p.stringArray("protocols", maxCount: maxTopicListCount, maxLength: maxTopicTextBytes) ?? []
        let tags = try p.stringArray("tags", maxCount: maxTopicListCount, maxLength: maxTopicTextBytes) ?? []
        let brief = try p.optionalString("brief") ?? ""
        guard brief.unicodeScalars.count <= TopicPayload.maxBriefCodePoints else {
            throw p.invalid("brief", "\(brief.unicodeScalars.count) code points; at most \(TopicPayload.maxBriefCodePoints) allowed")
        }
        var meta = JSONObject()
        if let value = p.raw("meta") {
            guard case .object(let object) = value else { throw p.invalid("meta", "expected object, got \(value.typeName)") }
            // Converted now only to name a bad member; what is kept is the JSON, converted again
            // each time the record is signed.
            _ = try CBORJSON.meta(from: object, path: p.path.isEmpty ? "meta" : "\(p.path).meta")
            meta = object
        }
        return .topic(TopicFields(topic: topic, name: name, protocols: protocols, tags: tags, brief: brief,
                                  metaJSON: JSONValue.object(meta).compactText))
    }

    static func customFields(_ p: RPCParams) throws(RPCError) -> PublicationFields {
        let type = UInt8(try p.int("type", in: 0...255))
        guard CustomRecordTypes.isAllowed(type) else {
            throw p.invalid("type", "\(type) is not a custom record type: use \(CustomRecordTypes.allowedText) "
                            + "(endpoint, topic and mailbox types have publish.endpoint, publish.topic and mailbox.send)")
        }
        let data = try p.base64("data", maxBytes: maxCustomBytes)
        return .custom(CustomFields(recType: type, data: data))
    }
}
