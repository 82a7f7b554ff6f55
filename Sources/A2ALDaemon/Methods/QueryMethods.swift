import A2ALCore
import A2ALDHT
import A2ALProtocol
import A2ALRPC

/// The `query.*` methods: iterative lookups over the DHT. Each lookup gets a deadline a little
/// inside the call's `timeout_ms`, so it ends with what it found rather than being cut off.
package enum QueryMethods {
    package static let defaultTimeoutMs: Int64 = 10_000

    package static func register(into router: inout RPCRouter, node: DHTNode) {
        router.register("query.find_node", summary: "The K closest nodes to a target that answered") { call in
            let p = call.params
            let target = try p.nodeID("target")
            let timeout = try p.timeout(defaultMs: defaultTimeoutMs)
            let paths = try p.disjointPaths()
            try p.finish()
            let nodes = try await withCallTimeout(timeout, "query.find_node") {
                await node.lookup(target, timeout: lookupDeadline(within: timeout), disjointPaths: paths)
            }
            return ["nodes": NodeJSON.render(nodes)]
        }

        router.register("query.find_records", summary: "Records at a key: the local copy, else the first network answer") { call in
            let p = call.params
            let key = try p.nodeID("key")
            let type = try p.recordType("type", default: nil)
            let timeout = try p.timeout(defaultMs: defaultTimeoutMs)
            let paths = try p.disjointPaths()
            try p.finish()
            let records = try await withCallTimeout(timeout, "query.find_records") {
                try await node.findRecords(key, recType: type, timeout: lookupDeadline(within: timeout), disjointPaths: paths)
            }
            return ["records": RecordJSON.render(records, key: key)]
        }

        router.register("query.aggregate_records", summary: "Every distinct record at a key from the closest nodes") { call in
            let p = call.params
            let key = try p.nodeID("key")
            let type = try p.recordType("type", default: nil)
            let timeout = try p.timeout(defaultMs: defaultTimeoutMs)
            let paths = try p.disjointPaths()
            try p.finish()
            let records = try await withCallTimeout(timeout, "query.aggregate_records") {
                try await node.aggregateRecords(key, recType: type, timeout: lookupDeadline(within: timeout),
                                                disjointPaths: paths)
            }
            return ["records": RecordJSON.render(records, key: key)]
        }

        router.register("query.resolve", summary: "The verified endpoint record of an agent address") { call in
            let p = call.params
            let address = try p.address("address")
            let timeout = try p.timeout(defaultMs: defaultTimeoutMs)
            let paths = try p.disjointPaths()
            try p.finish()
            let resolved = try await withCallTimeout(timeout, "query.resolve \(address)") {
                try await node.resolve(address, timeout: lookupDeadline(within: timeout), disjointPaths: paths)
            }
            return [
                "address": .string(address.text),
                "endpoint": .object(RecordJSON.endpoint(resolved.payload)),
                "record": RecordJSON.render(resolved.verified, key: address.nodeID),
            ]
        }

        registerTopic(into: &router, node: node)
    }
}
