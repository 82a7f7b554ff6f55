import A2ALCore
import A2ALDHT
import A2ALProtocol
import A2ALRPC

/// The `store.*` methods: the local record store, read and written without touching the network.
package enum StoreMethods {
    /// Page size bounds of `store.records`.
    package static let defaultPageSize: Int64 = 100
    package static let maxPageSize: Int64 = 1000

    package static func register(into router: inout RPCRouter, node: DHTNode) {
        router.register("store.get", summary: "The newest live record at a key (optionally of one type)") { call in
            let p = call.params
            let key = try p.nodeID("key")
            let type = try p.recordType("type", default: 0)
            try p.finish()
            let newest = node.localGet(key, recType: type).reduce(nil) { (best: VerifiedRecord?, r: VerifiedRecord) in
                guard let best else { return r }
                return isNewer(r, than: best) ? r : best
            }
            return ["record": newest.map { RecordJSON.render($0, key: key) } ?? .null]
        }

        router.register("store.get_all", summary: "Every live record at a key (optionally of one type)") { call in
            let p = call.params
            let key = try p.nodeID("key")
            let type = try p.recordType("type", default: 0)
            try p.finish()
            return ["records": RecordJSON.render(node.localGet(key, recType: type), key: key)]
        }

        router.register("store.get_by_address", summary: "Every live record signed for an agent address, wherever stored") { call in
            let p = call.params
            let address = try p.address("address")
            let type = try p.recordType("type", default: 0)
            try p.finish()
            let records = node.localGet(byAddress: address, recType: type)
            return ["records": .array(records.map { RecordJSON.render($0, key: derivedKey(of: $0)) })]
        }

        router.register("store.put", summary: "Store a signed record locally (not replicated)") { call in
            let p = call.params
            let key = try p.nodeID("key")
            let record = try p.signedRecord("record")
            try p.finish()
            do {
                try node.localPut(record, at: key)
            } catch {
                throw DHTErrorMapping.rpcError(error, "store.put")
            }
            return ["stored": true]
        }

        router.register("store.invalidate", summary: "Delete the records at a key of one type (0 = all types)") { call in
            let p = call.params
            let key = try p.nodeID("key")
            let type = try p.recordType("type", default: nil)
            try p.finish()
            let count = node.localGet(key, recType: type).count
            node.localInvalidate(key, recType: type)
            return ["invalidated": .integer(count)]
        }

        router.register("store.len", summary: "Keys and records held, and the key limit") { call in
            try call.params.finish()
            let s = node.debugStats()
            return [
                "keys": .integer(s.storeKeys),
                "records": .integer(s.storeRecords),
                "max_keys": .integer(node.maxStoreKeys),
            ]
        }

        router.register("store.records", summary: "A page of the stored records with their keys") { call in
            let p = call.params
            let limit = try p.int("limit", in: 1...maxPageSize, default: defaultPageSize)
            let offset = try p.int("offset", in: 0...Int64(Int32.max), default: 0)
            try p.finish()
            return page(node: node, limit: Int(limit), offset: Int(offset))
        }
    }

    /// Newer for display across publishers: later timestamp, then higher seq.
    static func isNewer(_ a: VerifiedRecord, than b: VerifiedRecord) -> Bool {
        a.timestamp != b.timestamp ? a.timestamp > b.timestamp : a.seq > b.seq
    }

    /// The key of a record whose key follows from the record alone (sovereign and unknown types
    /// live at NodeID(address)); nil for topic and mailbox records, which may live elsewhere.
    static func derivedKey(of r: VerifiedRecord) -> NodeID? {
        r.category.keyMustBeAddressNodeID ? r.address.nodeID : nil
    }

    /// One page of the store in the order /debug/store lists it. Records are fetched by
    /// author, which unlike a read by key does not count as an access (listing must not change
    /// which keys get evicted).
    static func page(node: DHTNode, limit: Int, offset: Int) -> JSONObject {
        let rows = node.debugStoreRows()
        let slice = offset < rows.count ? rows[offset..<min(rows.count, offset + limit)] : []
        var byAuthor: [Address: [VerifiedRecord]] = [:]
        var out: [JSONValue] = []
        for row in slice {
            if byAuthor[row.address] == nil { byAuthor[row.address] = node.localGet(byAddress: row.address) }
            // A record that expired or was replaced since the rows were taken is skipped.
            guard let r = byAuthor[row.address]?.first(where: {
                $0.recType == row.recType && $0.seq == row.seq && $0.timestamp == row.timestamp
            }) else { continue }
            out.append(RecordJSON.render(r, key: row.key))
        }
        return ["total": .integer(rows.count), "records": .array(out)]
    }
}
