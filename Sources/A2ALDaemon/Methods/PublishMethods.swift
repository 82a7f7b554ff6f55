import A2ALCore
import A2ALDHT
import A2ALProtocol
import A2ALRPC

/// The `publish.*` methods of docs/jsonrpc.md: records signed by an agent the daemon holds,
/// stored locally at once, replicated in the background and (except `publish.record`)
/// renewed at half-life and republished after a restart.
///
/// A publish call waits up to `timeout_ms` for the first replication round and reports the
/// replicas confirmed by then as `"replicas"`. Running out of time is not an error: the record
/// is already stored locally and replication carries on.
package enum PublishMethods {
    package static let defaultTimeoutMs: Int64 = 10_000
    package static let defaultTTL: UInt32 = 3600

    package static func register(into router: inout RPCRouter, node: DHTNode, publisher: Publisher) {
        router.register("publish.endpoint", summary: "Publish (and keep renewing) an agent's endpoint record", blocks: true) { call in
            try await publish(call, publisher: publisher, fields: endpointFields)
        }
        router.register("publish.topic", summary: "Announce an agent under a topic (renewed until withdrawn)", blocks: true) { call in
            try await publish(call, publisher: publisher, fields: topicFields)
        }
        router.register("publish.custom", summary: "Publish (and keep renewing) a custom-type record of an agent", blocks: true) { call in
            try await publish(call, publisher: publisher, fields: customFields)
        }
        router.register("publish.record", summary: "Store and replicate once a record signed elsewhere") { call in
            try await publishRecord(call, node: node)
        }
        router.register("publish.list", summary: "The publications the daemon keeps alive") { call in
            try call.params.finish()
            return ["publications": .array(publisher.publications().map { .object(render($0)) })]
        }
        router.register("publish.withdraw", summary: "Stop renewing a publication", blocks: true) { call in
            let id = try call.params.string("publication")
            try call.params.finish()
            let withdrawn: Bool
            do throws(PublisherError) {
                withdrawn = try publisher.withdraw(id)
            } catch {
                throw error.rpcError("publish.withdraw")
            }
            guard withdrawn else { throw PublisherError.unknownPublication(id).rpcError("publish.withdraw") }
            return ["withdrawn": true]
        }
    }

    /// publish.endpoint / topic / custom: the shared frame around the kind's own fields.
    static func publish(_ call: RPCCall, publisher: Publisher,
                        fields: (RPCParams) throws(RPCError) -> PublicationFields) async throws(RPCError) -> JSONObject {
        let params = call.params
        let agent = try params.address("agent")
        let content = try fields(params)
        let ttl = try params.ttl("ttl_s", default: defaultTTL)
        let timeout = try params.timeout(defaultMs: defaultTimeoutMs)
        try params.finish()
        let published: PublishedRecord
        do throws(PublisherError) {
            published = try publisher.publish(agent: agent, content, ttlSeconds: ttl)
        } catch {
            throw error.rpcError(call.method)
        }
        let replicas = await ReplicaWait.confirmedReplicas(node: publisher.node, key: published.key,
                                                           publisher: agent.nodeID, type: published.record.recType,
                                                           within: timeout)
        return [
            "publication": .string(published.publication.id),
            "key": .string(published.key.description),
            "record": RecordJSON.render(published.record, key: published.key),
            "replicas": .integer(replicas),
        ]
    }

    /// publish.record: a record signed elsewhere, replicated once and not republished.
    static func publishRecord(_ call: RPCCall, node: DHTNode) async throws(RPCError) -> JSONObject {
        let params = call.params
        let record = try params.signedRecord("record")
        let key = try params.nodeID("key")
        let timeout = try params.timeout(defaultMs: defaultTimeoutMs)
        try params.finish()
        let stored: NodeID
        do throws(DHTError) {
            stored = try node.publish(record, at: key)
        } catch {
            throw DHTErrorMapping.rpcError(error, "publish.record")
        }
        let replicas = await ReplicaWait.confirmedReplicas(node: node, key: stored, publisher: record.address.nodeID,
                                                           type: record.recType, within: timeout)
        return [
            "key": .string(stored.description),
            "record": RecordJSON.render(record, key: stored),
            "replicas": .integer(replicas),
        ]
    }

    /// One entry of publish.list.
    static func render(_ s: PublicationStatus) -> JSONObject {
        let p = s.publication
        return [
            "id": .string(p.id),
            "kind": .string(p.kind.rawValue),
            "agent": .string(p.agent),
            "key": .string(p.key),
            "seq": .decimal(s.record?.seq ?? p.lastSeq),
            "expires_at": s.record.map { .integer($0.expiresAt) } ?? .null,
            "next_renewal_at": s.nextRenewalAt.map { .integer($0) } ?? .null,
            "replicas": .integer(s.replicas),
        ]
    }
}
