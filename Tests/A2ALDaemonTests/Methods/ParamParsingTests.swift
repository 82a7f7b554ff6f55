import Foundation
import A2ALCore
import A2ALDHT
import A2ALDaemon
import A2ALProtocol
import A2ALRPC
import Synchronization
import Testing

/// The DHT-specific parameter accessors, the error mapping and the call timeout.
@Suite struct ParamParsingTests {
    func params(_ o: JSONObject) -> RPCParams { RPCParams(o) }

    func failure(_ body: () throws(RPCError) -> Void) -> RPCError? {
        do throws(RPCError) {
            try body()
            return nil
        } catch {
            return error
        }
    }

    @Test func addressesInEveryTextForm() throws {
        let a = Address.ed25519(publicKey: Ed25519.KeyPair.generate().publicKey)
        #expect(try params(["a": .string(a.text)]).address("a") == a)
        #expect(try params(["a": .string(a.text.lowercased())]).address("a") == a)
        let eth = try #require(Address(version: Address.Version.ethereum.rawValue, hash20: [UInt8](repeating: 0xab, count: 20)))
        #expect(try params(["a": .string(eth.text)]).address("a") == eth)
        let para = try #require(Address(version: Address.Version.paralism.rawValue, hash20: [UInt8](repeating: 7, count: 20)))
        #expect(para.text.hasPrefix("bc1"))
        #expect(try params(["a": .string(para.text)]).address("a") == para)
        let bad = failure { () throws(RPCError) in _ = try params(["a": .string(a.text.uppercased())]).address("a") }
        #expect(bad?.field == "a" && bad?.message.contains("checksum") == true && bad?.message.contains("Bech32") == true)
        #expect(failure { () throws(RPCError) in _ = try params([:]).address("a") }?.field == "a")
        #expect(try params([:]).optionalAddress("a") == nil)
    }

    @Test func hexOfAGivenLength() throws {
        let p = params(["key": "00ff", "short": "00", "odd": "abc"])
        #expect(try p.hex("key", byteCount: 2) == [0, 255])
        #expect(failure { () throws(RPCError) in _ = try p.hex("short", byteCount: 32) }?.message
                == "invalid params: short: expected 32 bytes (64 hex digits), got 1")
        #expect(failure { () throws(RPCError) in _ = try p.hex("odd", byteCount: nil) }?.message == "invalid params: odd: not a hex string")
    }

    @Test func nodeIDsAndEndpoints() throws {
        let id = NodeID.random()
        #expect(try params(["k": .string(id.description.uppercased())]).nodeID("k") == id)
        #expect(failure { () throws(RPCError) in _ = try params(["k": "00ff"]).nodeID("k") }?.message.contains("64 hex digits") == true)
        #expect(try params(["p": "[2001:db8::1]:4121"]).peerAddress("p").description == "[2001:db8::1]:4121")
        #expect(try params(["p": "[::ffff:1.2.3.4]:9"]).endpoint("p").description == "1.2.3.4:9")
        for bad in ["1.2.3.4", "1.2.3.4:70000", "example.com:4121", "[::1:4121", ""] {
            #expect(failure { () throws(RPCError) in _ = try params(["p": .string(bad)]).peerAddress("p") }?.field == "p", "\(bad)")
        }
        // Nested params report the full path.
        let nested = RPCParams(["p": "nope"], path: "seeds[3]")
        #expect(failure { () throws(RPCError) in _ = try nested.peerAddress("p") }?.field == "seeds[3].p")
    }

    @Test func typesTTLsAndRecords() throws {
        #expect(try params([:]).recordType("type", default: 0) == 0)
        #expect(try params(["type": 255]).recordType("type", default: nil) == 255)
        #expect(failure { () throws(RPCError) in _ = try params([:]).recordType("type", default: nil) }?.field == "type")
        #expect(failure { () throws(RPCError) in _ = try params(["type": -1]).recordType("type", default: 0) }?.field == "type")
        #expect(try params([:]).ttl("ttl_s", default: 3600) == 3600)
        #expect(try params(["ttl_s": 86400]).ttl("ttl_s", default: 1) == 86400)
        #expect(failure { () throws(RPCError) in _ = try params(["ttl_s": 0]).ttl("ttl_s", default: 1) }?.field == "ttl_s")
        #expect(failure { () throws(RPCError) in _ = try params(["ttl_s": 86401]).ttl("ttl_s", default: 1) }?.field == "ttl_s")

        let key = Ed25519.KeyPair.generate()
        let r = try endpointRecord(key, now: 1_000_000)
        #expect(try params(["r": raw(r)]).signedRecord("r", now: 1_000_010) == r)
        let late = failure { () throws(RPCError) in _ = try params(["r": raw(r)]).signedRecord("r", now: 1_000_000 + 7200) }
        #expect(late?.kind == "invalid_record" && late?.message.contains("expired") == true)
        // A record whose payload breaks the endpoint rules fails verification too.
        let badPayload = try SignedRecord.sign(recType: RecordType.endpoint, payload: EndpointPayload(endpoints: [], natType: 9).encoded,
                                               seq: 1, timestamp: 1_000_000, ttl: 60, signer: key)
        #expect(failure { () throws(RPCError) in _ = try params(["r": raw(badPayload)]).signedRecord("r", now: 1_000_000) }?.kind
                == "invalid_record")
        #expect(try params(["b": true]).requiredBool("b"))
        #expect(params(["ip": nil]).isPresent("ip") && !params([:]).isPresent("ip"))
    }

    @Test func dhtErrorsMapToTheDocumentedKinds() {
        let cases: [(DHTError, RPCError.Kind?)] = [
            (.timeout, .timeout), (.cancelled, .unavailable), (.closed, .unavailable),
            (.transport(.unreachable("x")), .badAddress), (.unexpectedReply("x"), .peerError),
            (.noAddress(.zero), .notFound), (.encoding(.oversize(2000)), .invalidRecord),
            (.allSeedsUnreachable, .timeout), (.resolution("x"), .badAddress), (.identity("x"), nil), (.local("x"), nil),
            (.store(.stale), .staleRecord), (.store(.invalid(.badSignature)), .invalidRecord),
            (.store(.keyMismatch(expected: .zero, got: .zero)), .invalidRecord), (.store(.unauthorized("no")), .invalidRecord),
            (.noMatchingRecords, .notFound), (.noEndpoint, .notFound),
        ]
        for (e, kind) in cases {
            let r = DHTErrorMapping.rpcError(e, "op", timeout: .milliseconds(1500))
            if let kind {
                #expect(r.code == kind.code && r.kind == kind.rawValue, "\(e)")
                #expect(r.message.hasPrefix("op"), "\(e)")
            } else {
                #expect(r.code == RPCError.internalErrorCode, "\(e)")
            }
        }
        #expect(DHTErrorMapping.rpcError(.timeout, "op", timeout: .milliseconds(1500)).data?["timeout_ms"] == 1500)
        let passthrough = RPCError.app(.conflict, "x")
        #expect(DHTErrorMapping.rpcError(passthrough as any Error, "op") == passthrough)
    }

    @Test func callTimeoutCancelsAHangingBody() async throws {
        let cancelled = Mutex(false)
        do throws(RPCError) {
            _ = try await withCallTimeout(.milliseconds(50), "hang") { () async throws -> Int in
                do {
                    try await Task.sleep(for: .seconds(60))
                } catch {
                    cancelled.withLock { $0 = true }
                    throw error
                }
                return 1
            }
            Issue.record("a hanging body finished")
        } catch {
            #expect(error.kind == "timeout" && error.data?["timeout_ms"] == 50)
        }
        #expect(cancelled.withLock { $0 })
        // A body that answers in time gives its value; its errors are mapped.
        #expect(try await withCallTimeout(.seconds(30), "quick") { 7 } == 7)
        do throws(RPCError) {
            _ = try await withCallTimeout(.seconds(30), "fails") { () async throws -> Int in throw DHTError.noEndpoint }
        } catch {
            #expect(error.kind == "not_found")
        }
    }

    /// Every node.*, store.* and query.* method of docs/jsonrpc.md is registered, and nothing else.
    @Test func registeredMethodsMatchTheDocument() async throws {
        let doc = try String(contentsOfFile: Self.docPath, encoding: .utf8)
        var documented = Set<String>()
        for line in doc.split(separator: "\n") where line.hasPrefix("- `") {
            for part in line.split(separator: "`").enumerated() where part.offset % 2 == 1 {
                let name = String(part.element.split(separator: " ").first ?? "")
                if ["node.", "store.", "query."].contains(where: name.hasPrefix) { documented.insert(name) }
            }
        }
        #expect(documented.count >= 30)
        let c = try MethodCluster(size: 1)
        #expect(Set(c.router.names) == documented)
    }

    static var docPath: String {
        // Tests/A2ALDaemonTests/Methods/<file> → repository root.
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(4)
        return parts.joined(separator: "/") + "/docs/jsonrpc.md"
    }
}
