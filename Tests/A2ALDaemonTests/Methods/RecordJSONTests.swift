import A2ALCore
import A2ALDHT
import A2ALDaemon
import A2ALProtocol
import A2ALRPC
import Testing

/// The "record" shape for every record type, and topic meta between CBOR and JSON.
@Suite struct RecordJSONTests {
    let key = Ed25519.KeyPair.generate()
    let now = SystemClock().unixSeconds()

    @Test func endpointRecordRendersEveryField() throws {
        let payload = EndpointPayload(endpoints: ["quic://1.2.3.4:5"], natType: 2, signal: "wss://s", turns: ["turn:t"],
                                      signals: ["wss://s", "wss://s2"])
        let r = try SignedRecord.sign(recType: RecordType.endpoint, payload: payload.encoded, seq: 7, timestamp: now,
                                      ttl: 600, signer: key)
        let o = try #require(RecordJSON.render(r, key: r.address.nodeID).objectValue)
        #expect(o.keys == ["type", "type_code", "address", "key", "seq", "timestamp", "ttl_s", "expires_at", "delegated",
                           "payload", "raw"])
        #expect(o["type"] == "endpoint" && o["type_code"] == 1)
        #expect(o["address"]?.stringValue == r.address.text)
        #expect(o["key"]?.stringValue == r.address.nodeID.description)
        #expect(o["seq"] == "7" && o["ttl_s"] == 600 && o["timestamp"] == .integer(now) && o["expires_at"] == .integer(now + 600))
        #expect(o["delegated"] == false)
        #expect(o["payload"] == ["endpoints": ["quic://1.2.3.4:5"], "nat_type": 2, "signal": "wss://s",
                                 "turns": ["turn:t"], "signals": ["wss://s", "wss://s2"]])
        // raw is the canonical encoding: it decodes back to the same record.
        let bytes = try #require(o["raw"]?.stringValue.flatMap(Base64Text.decode))
        #expect(bytes == r.encoded)
        #expect(try SignedRecord(encoded: bytes) == r)
    }

    @Test func theLargestSeqIsRenderedExactly() throws {
        // seq is a u64 (docs/jsonrpc.md, "Framing and protocol"): a decimal string with every
        // digit, so jq and JavaScript can not round it.
        let r = try SignedRecord.sign(recType: RecordType.endpoint, payload: EndpointPayload(endpoints: ["quic://1.2.3.4:5"]).encoded,
                                      seq: UInt64.max, timestamp: now, ttl: 600, signer: key)
        let rendered = RecordJSON.render(r, key: nil)
        #expect(rendered["seq"] == .string("18446744073709551615"))
        #expect(rendered.compactText.contains(#""seq":"18446744073709551615","#), "\(rendered.compactText)")
    }

    @Test func keyIsOmittedWhenUnknown() throws {
        let o = try #require(RecordJSON.render(try endpointRecord(key), key: nil).objectValue)
        #expect(o["key"] == nil)
    }

    @Test func nullEndpointListRendersAsEmpty() throws {
        let r = try SignedRecord.sign(recType: RecordType.endpoint, payload: EndpointPayload(endpoints: nil).encoded, seq: 1,
                                      timestamp: now, ttl: 60, signer: key)
        #expect(RecordJSON.payload(r).0["endpoints"] == [])
    }

    @Test func topicRecordRendersMeta() throws {
        let meta: [String: CBOR] = ["v": .unsigned(2), "bin": .bytes([1, 2, 3]), "nested": .map([CBORPair(.text("x"), .negative(4)),
                                                                                                    CBORPair(.unsigned(9), .bool(true))])]
        let payload = TopicPayload(topic: "lang.translate", name: "Trans", protocols: ["a2a"], tags: nil, brief: "translates",
                                   meta: meta)
        let r = try topicRecord(key, payload)
        let (p, error) = RecordJSON.payload(r)
        #expect(error == nil)
        #expect(p == ["topic": "lang.translate", "name": "Trans", "protocols": ["a2a"], "tags": [], "brief": "translates",
                      "meta": ["v": 2, "bin": "AQID", "nested": ["9": true, "x": -5]]])
        #expect(RecordJSON.render(r, key: nil)["type"] == "topic")
    }

    @Test func mailboxRecordShowsRecipientAndSizeOnly() throws {
        let recipient = Ed25519.KeyPair.generate()
        let recipientAddress = Address.ed25519(publicKey: recipient.publicKey)
        let sealed = try MailboxCrypto.seal(message: MailboxMessage(msgType: MailboxMessage.Kind.text, body: Array("hello".utf8)),
                                            sender: Address.ed25519(publicKey: key.publicKey), recipient: recipientAddress,
                                            recipientPublicKey: recipient.publicKey)
        let r = try SignedRecord.sign(recType: RecordType.mailbox, payload: sealed.encoded, seq: 1, timestamp: now, ttl: 60,
                                      signer: key)
        let (p, error) = RecordJSON.payload(r)
        #expect(error == nil)
        #expect(p == ["recipient": .string(recipientAddress.text), "encrypted_bytes": .integer(sealed.ciphertext?.count ?? -1)])
        #expect(RecordJSON.render(r, key: recipientAddress.nodeID)["type"] == "mailbox")
        // A recipient that is not an address shows as null.
        let odd = MailboxPayload(recipient: [1, 2], senderAddr: nil, ephemeralPK: nil, ciphertext: nil, nonce: nil)
        let r2 = try SignedRecord.sign(recType: RecordType.mailbox, payload: odd.encoded, seq: 1, timestamp: now, ttl: 60, signer: key)
        #expect(RecordJSON.payload(r2).0 == ["recipient": nil, "encrypted_bytes": 0])
    }

    @Test func customRecordShowsDataAsBase64() throws {
        let r = try SignedRecord.sign(recType: 0x42, payload: [0xde, 0xad], seq: 1, timestamp: now, ttl: 60, signer: key)
        let o = RecordJSON.render(r, key: nil)
        #expect(o["type"] == "custom" && o["type_code"] == 0x42)
        #expect(o["payload"] == ["data": "3q0="])
        #expect(RecordJSON.typeName(0x11) == "custom" && RecordJSON.typeName(0x81) == "custom")
        #expect(RecordJSON.typeName(0x01) == "endpoint" && RecordJSON.typeName(0x10) == "topic" && RecordJSON.typeName(0x80) == "mailbox")
    }

    @Test func undecodablePayloadIsNullWithTheReason() throws {
        for type in [RecordType.endpoint, RecordType.topic, RecordType.mailbox] {
            let r = try SignedRecord.sign(recType: type, payload: [0xff, 0x00], seq: 1, timestamp: now, ttl: 60, signer: key)
            let o = try #require(RecordJSON.render(r, key: nil).objectValue)
            #expect(o["payload"] == .null)
            let why = try #require(o["payload_error"]?.stringValue)
            #expect(why.contains(RecordJSON.typeName(type)))
            #expect(o.keys.firstIndex(of: "payload_error") == o.keys.firstIndex(of: "payload").map { $0 + 1 })
        }
        // A topic record with no payload at all is also undecodable.
        let empty = try SignedRecord.sign(recType: RecordType.topic, payload: nil, seq: 1, timestamp: now, ttl: 60, signer: key)
        #expect(RecordJSON.payload(empty).0 == .null && RecordJSON.payload(empty).1 != nil)
    }

    @Test func delegatedRecordsAreMarked() throws {
        let r = try SignedRecord.sign(address: Address.ed25519(publicKey: key.publicKey), recType: 0x42, payload: [1], seq: 1,
                                      timestamp: now, ttl: 60, signer: key, delegation: [0xa0])
        #expect(RecordJSON.render(r, key: nil)["delegated"] == true)
    }
}

@Suite struct CBORJSONTests {
    @Test func metaRoundTripsThroughJSONAndTheTopicPayload() throws {
        // Keys in canonical order (shorter first, then bytewise), as object(from:) renders them.
        let json: JSONObject = ["n": -7, "f": 1.5, "ok": true, "nil": nil, "list": [1, "two", [3.25]],
                                "text": "hello", "nested": ["a": ["b": 0]]]
        let meta = try CBORJSON.meta(from: json, path: "meta")
        let payload = TopicPayload(topic: "t", meta: meta)
        let decoded = try TopicPayload(encoded: payload.encoded)
        let back = CBORJSON.object(from: decoded.meta)
        #expect(back == ["f": 1.5, "n": -7, "ok": true, "nil": nil, "list": [1, "two", [3.25]], "text": "hello",
                         "nested": ["a": ["b": 0]]])
    }

    @Test func cborOnlyValuesAreConverted() {
        #expect(CBORJSON.json(from: .bytes([0xff])) == "/w==")
        #expect(CBORJSON.json(from: .tagged(1, .unsigned(5))) == 5)
        #expect(CBORJSON.json(from: .undefined) == .null && CBORJSON.json(from: .simple(99)) == .null)
        #expect(CBORJSON.json(from: .float(.nan)) == .null && CBORJSON.json(from: .float(.infinity)) == .null)
        // Integers beyond Int64 keep every digit, both ways.
        #expect(CBORJSON.json(from: .unsigned(UInt64.max)) == .bigInt("18446744073709551615"))
        #expect(CBORJSON.json(from: .negative(UInt64(Int64.max))) == .int(Int64.min))
        #expect(CBORJSON.json(from: .negative(UInt64(Int64.max) + 1)) == .bigInt("-9223372036854775809"))
        #expect(CBORJSON.json(from: .negative(UInt64.max)) == .bigInt("-18446744073709551616"))
        #expect((try? CBORJSON.cbor(from: .bigInt("18446744073709551615"), path: "m")) == .unsigned(UInt64.max))
        #expect((try? CBORJSON.cbor(from: .bigInt("-18446744073709551616"), path: "m")) == .negative(UInt64.max))
        #expect((try? CBORJSON.cbor(from: .bigInt("-9223372036854775809"), path: "m")) == .negative(UInt64(Int64.max) + 1))
        #expect((try? CBORJSON.cbor(from: .bigInt("18446744073709551616"), path: "m")) == nil)
        // Non-text keys are stringified; the first of two equal names wins.
        let m = CBOR.map([CBORPair(.unsigned(1), .text("one")), CBORPair(.negative(0), .text("minus one")),
                          CBORPair(.bytes([0]), .text("bytes")), CBORPair(.bool(false), .null),
                          CBORPair(.text("1"), .text("shadowed"))])
        #expect(CBORJSON.json(from: m) == ["1": "one", "-1": "minus one", "AA==": "bytes", "false": nil])
    }

    @Test func jsonToCBORKeepsIntegersAndFloatsApart() throws {
        #expect(try CBORJSON.cbor(from: 3, path: "m") == .unsigned(3))
        #expect(try CBORJSON.cbor(from: -1, path: "m") == .negative(0))
        #expect(try CBORJSON.cbor(from: .int(Int64.min), path: "m") == .negative(UInt64(Int64.max)))
        #expect(try CBORJSON.cbor(from: 2.5, path: "m") == .float(2.5))
        #expect(try CBORJSON.cbor(from: ["k": "v"], path: "m") == .map([CBORPair(.text("k"), .text("v"))]))
    }

    @Test func tooDeepMetaIsRefusedNamingThePath() {
        var v: JSONValue = 1
        for _ in 0..<(CBORJSON.maxDepth + 2) { v = ["d": v] }
        do throws(RPCError) {
            _ = try CBORJSON.meta(from: ["deep": v], path: "meta")
            Issue.record("deep meta accepted")
        } catch {
            #expect(error.code == RPCError.invalidParamsCode)
            #expect(error.data?["field"]?.stringValue?.hasPrefix("meta.deep.d") == true)
        }
    }
}
