import A2ALCore
import A2ALProtocol
import A2ALRPC

/// What a publication signs — record type, payload bytes and DHT key — rebuilt from its fields
/// every time it is signed, so a renewal carries exactly what the client asked for.
struct PublicationContent: Sendable {
    let recType: UInt8
    let payload: [UInt8]
    let key: NodeID

    /// Builds and checks the payload against the wire rules (docs/protocol.md §4.3).
    init(_ fields: PublicationFields, agent: Address) throws(PublisherError) {
        switch fields {
        case .endpoint(let f):
            let payload = EndpointPayload(endpoints: f.endpoints, natType: f.natType, signal: f.signal,
                                          turns: f.turns, signals: f.signals)
            do throws(RecordError) { try payload.validate() } catch { throw .invalidPayload(error) }
            recType = RecordType.endpoint
            self.payload = payload.encoded
            key = agent.nodeID
        case .topic(let f):
            // Empty lists go out as null, as the reference encodes lists it was never given.
            let payload = TopicPayload(topic: f.topic, name: f.name,
                                       protocols: f.protocols.isEmpty ? nil : f.protocols,
                                       tags: f.tags.isEmpty ? nil : f.tags, brief: f.brief,
                                       meta: try Self.meta(f.metaJSON))
            do throws(RecordError) { try payload.validate() } catch { throw .invalidPayload(error) }
            let bytes = payload.encoded
            guard bytes.count <= TopicPayload.maxEncodedSize else {
                throw .invalidPayload(.invalidPayload("topic payload is \(bytes.count) bytes, limit \(TopicPayload.maxEncodedSize)"))
            }
            recType = RecordType.topic
            self.payload = bytes
            key = payload.key
        case .custom(let f):
            guard CustomRecordTypes.isAllowed(f.recType) else {
                throw .invalidPayload(.invalidPayload("custom record type \(f.recType) is not \(CustomRecordTypes.allowedText)"))
            }
            recType = f.recType
            payload = f.data
            // Types outside the known ranges are stored like sovereign records (docs/protocol.md
            // §4.5).
            key = agent.nodeID
        }
    }

    /// The topic meta kept as JSON text, as the CBOR map the payload signs.
    static func meta(_ json: String) throws(PublisherError) -> [String: CBOR] {
        let value: JSONValue
        do {
            value = try JSONParser.parse(json)
        } catch {
            throw .invalidPayload(.invalidPayload("topic meta is not JSON: \(error)"))
        }
        guard case .object(let object) = value else {
            throw .invalidPayload(.invalidPayload("topic meta must be a JSON object, got \(value.typeName)"))
        }
        do throws(RPCError) {
            return try CBORJSON.meta(from: object, path: "meta")
        } catch {
            throw .invalidPayload(.invalidPayload(error.message))
        }
    }
}
