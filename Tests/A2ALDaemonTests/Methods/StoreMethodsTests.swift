import A2ALCore
import A2ALDHT
import A2ALDaemon
import A2ALProtocol
import A2ALRPC
import Testing

/// The store.* methods on node 0's local store.
@Suite struct StoreMethodsTests {
    @Test func putGetAndList() async throws {
        let c = try MethodCluster(size: 1)
        let owner = Ed25519.KeyPair.generate()
        let ownerAddress = Address.ed25519(publicKey: owner.publicKey)
        let key = ownerAddress.nodeID.description
        let ep1 = try endpointRecord(owner, seq: 1)
        let custom = try SignedRecord.sign(recType: 0x42, payload: [9], seq: 1, timestamp: SystemClock().unixSeconds(), ttl: 600,
                                           signer: owner)

        #expect(try await c.call("store.get", ["key": .string(key)]) == ["record": nil])
        #expect(try await c.call("store.put", ["key": .string(key), "record": raw(ep1)]) == ["stored": true])
        #expect(try await c.call("store.put", ["key": .string(key), "record": raw(custom)]) == ["stored": true])
        // The zero key means "the record's own key".
        let ep2 = try endpointRecord(owner, seq: 2)
        #expect(try await c.call("store.put", ["key": .string(NodeID.zero.description), "record": raw(ep2)]) == ["stored": true])

        let got = try await c.call("store.get", ["key": .string(key), "type": 1])
        #expect(got["record"]?["raw"] == raw(ep2) && got["record"]?["key"]?.stringValue == key)
        let all = try #require(try await c.call("store.get_all", ["key": .string(key)])["records"]?.arrayValue)
        #expect(Set(all.compactMap { $0["raw"]?.stringValue }) == Set([raw(ep2), raw(custom)].compactMap(\.stringValue)))
        let onlyCustom = try await c.call("store.get_all", ["key": .string(key), "type": 0x42])
        #expect(onlyCustom["records"]?.arrayValue?.map { $0["type"] } == ["custom"])

        let byAddress = try #require(try await c.call("store.get_by_address", ["address": .string(ownerAddress.text)])["records"]?.arrayValue)
        #expect(byAddress.count == 2 && byAddress.allSatisfy { $0["key"]?.stringValue == key })
        let none = try await c.call("store.get_by_address", ["address": .string(c.nodes[0].address.text), "type": 1])
        #expect(none == ["records": []])

        #expect(try await c.call("store.len") == ["keys": 1, "records": 2, "max_keys": .integer(RecordStore.defaultMaxKeys)])

        // Pages follow /debug/store order and carry keys.
        let page1 = try await c.call("store.records", ["limit": 1])
        #expect(page1["total"] == 2 && page1["records"]?.arrayValue?.count == 1)
        let page2 = try await c.call("store.records", ["limit": 1, "offset": 1])
        #expect(page2["records"]?.arrayValue?.first?["key"]?.stringValue == key)
        #expect(page1["records"]?.arrayValue?.first?["raw"] != page2["records"]?.arrayValue?.first?["raw"])
        #expect(try await c.call("store.records", ["offset": 5]) == ["total": 2, "records": []])
        #expect(try await c.call("store.records")["records"]?.arrayValue?.count == 2)

        #expect(try await c.call("store.invalidate", ["key": .string(key), "type": 0x42]) == ["invalidated": 1])
        #expect(try await c.call("store.invalidate", ["key": .string(key), "type": 0]) == ["invalidated": 1])
        #expect(try await c.call("store.get_all", ["key": .string(key)]) == ["records": []])
    }

    @Test func putFailures() async throws {
        let c = try MethodCluster(size: 1)
        let owner = Ed25519.KeyPair.generate()
        let key = Address.ed25519(publicKey: owner.publicKey).nodeID.description
        let ep2 = try endpointRecord(owner, seq: 2)
        _ = try await c.call("store.put", ["key": .string(key), "record": raw(ep2)])

        let stale = await c.failure("store.put", ["key": .string(key), "record": raw(try endpointRecord(owner, seq: 1))])
        expectAppError(stale, .staleRecord)
        let wrongKey = await c.failure("store.put", ["key": .string(NodeID.random().description), "record": raw(try endpointRecord(owner, seq: 3))])
        expectAppError(wrongKey, .invalidRecord)
        #expect(wrongKey?.data?["expected_key"]?.stringValue == key)
        let expired = try endpointRecord(owner, seq: 4, now: SystemClock().unixSeconds() - 7200, ttl: 60)
        expectAppError(await c.failure("store.put", ["key": .string(key), "record": raw(expired)]), .invalidRecord)
        // Someone else's key signing for the owner's address, without a valid delegation.
        let forger = Ed25519.KeyPair.generate()
        let forged = try SignedRecord.sign(address: Address.ed25519(publicKey: owner.publicKey), recType: 1, payload: ep2.payload,
                                           seq: 9, timestamp: SystemClock().unixSeconds(), ttl: 60, signer: forger, delegation: [1])
        expectAppError(await c.failure("store.put", ["key": .string(key), "record": raw(forged)]), .invalidRecord)

        expectInvalidParams(await c.failure("store.put", ["record": raw(ep2)]), field: "key")
        expectInvalidParams(await c.failure("store.put", ["key": .string(key)]), field: "record")
        expectInvalidParams(await c.failure("store.get", ["key": .string(key), "typ": 1]), field: "typ")
        expectInvalidParams(await c.failure("store.get_by_address", ["address": "bc1notanaddress"]), field: "address")
        expectInvalidParams(await c.failure("store.invalidate", ["key": .string(key)]), field: "type")
        expectInvalidParams(await c.failure("store.records", ["limit": 0]), field: "limit")
        expectInvalidParams(await c.failure("store.records", ["offset": -1]), field: "offset")
        expectInvalidParams(await c.failure("store.len", ["x": 1]), field: "x")
    }
}
