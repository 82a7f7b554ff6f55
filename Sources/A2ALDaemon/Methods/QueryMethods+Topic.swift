import A2ALCore
import A2ALDHT
import A2ALProtocol
import A2ALRPC

/// `query.topic`: who announced a topic, with filters.
extension QueryMethods {
    /// What an entry must match: every listed protocol and tag, and the name substring
    /// (compared case-insensitively, as a person searching by name expects).
    struct TopicFilter: Sendable {
        var topic: String
        var protocols: [String]
        var tags: [String]
        var nameContains: String?

        func matches(_ p: TopicPayload) -> Bool {
            guard p.topic == topic else { return false }
            let protocols = Set(p.protocols ?? []), tags = Set(p.tags ?? [])
            guard self.protocols.allSatisfy(protocols.contains), self.tags.allSatisfy(tags.contains) else { return false }
            if let nameContains, !nameContains.isEmpty {
                return p.name.lowercased().contains(nameContains.lowercased())
            }
            return true
        }
    }

    static func registerTopic(into router: inout RPCRouter, node: DHTNode) {
        router.register("query.topic", summary: "Agents announcing a topic, filtered by protocols, tags and name") { call in
            let p = call.params
            let topic = try p.string("topic")
            guard !topic.isEmpty else { throw p.invalid("topic", "must not be empty") }
            let filter = TopicFilter(topic: topic,
                                     protocols: try p.stringArray("protocols", maxCount: 64) ?? [],
                                     tags: try p.stringArray("tags", maxCount: 64) ?? [],
                                     nameContains: try p.optionalString("name_contains"))
            let timeout = try p.timeout(defaultMs: defaultTimeoutMs)
            let paths = try p.disjointPaths()
            try p.finish()
            let key = TopicKey.key(for: topic)
            let records = try await withCallTimeout(timeout, "query.topic \"\(topic)\"") { () async throws -> [VerifiedRecord] in
                do throws(DHTError) {
                    return try await node.aggregateRecords(key, recType: RecordType.topic,
                                                           timeout: lookupDeadline(within: timeout), disjointPaths: paths)
                } catch .noMatchingRecords {
                    // Nobody announcing the topic is an empty directory, not a failure.
                    return []
                } catch {
                    throw error
                }
            }
            return ["topic": .string(topic), "key": .string(key.description), "entries": .array(entries(records, key: key, filter: filter))]
        }
    }

    /// One entry per matching topic record, in the lookup's order; the payloads are those the
    /// records' verification decoded.
    static func entries(_ records: [VerifiedRecord], key: NodeID, filter: TopicFilter) -> [JSONValue] {
        records.compactMap { r -> JSONValue? in
            guard case .topic(let payload) = r.decoded, filter.matches(payload) else { return nil }
            return [
                "address": .string(r.address.text),
                "name": .string(payload.name),
                "protocols": .strings(payload.protocols ?? []),
                "tags": .strings(payload.tags ?? []),
                "brief": .string(payload.brief),
                "meta": .object(CBORJSON.object(from: payload.meta)),
                "record": RecordJSON.render(r, key: key),
            ]
        }
    }
}
