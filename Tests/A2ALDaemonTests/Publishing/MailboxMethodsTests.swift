import A2ALCore
import A2ALDHT
import A2ALDaemon
import A2ALProtocol
import A2ALRPC
import Testing

/// mailbox.* between two daemons (nodes 0 and 1 of a five-node network, each with its own
/// data directory and agents).
@Suite(.serialized) struct MailboxMethodsTests {
    struct Pair: ClusterUnderTest {
        let nodes: [DHTNode]
        let alice: PubDaemon
        let bob: PubDaemon
        let aliceAgent: String
        let bobAgent: String

        func close() async { for n in nodes { await n.close() } }
    }

    /// Alice's daemon on node 0, Bob's on node 1; Bob's agent has published its endpoint, which
    /// is where senders learn its public key.
    func pair(_ ipBase: UInt32) async throws -> Pair {
        let nodes = try await PubNetwork(ipBase: ipBase).nodes(5)
        let alice = try PubDaemon(node: nodes[0])
        let bob = try PubDaemon(node: nodes[1])
        let aliceAgent = try await alice.createAgent("alice")
        let bobAgent = try await bob.createAgent("bob")
        _ = try await bob.call("publish.endpoint", ["agent": .string(bobAgent), "endpoints": ["quic://10.0.0.2:1"]])
        return Pair(nodes: nodes, alice: alice, bob: bob, aliceAgent: aliceAgent, bobAgent: bobAgent)
    }


    @Test func aNoteSentFromOneDaemonIsReadAndDecryptedOnTheOther() async throws {
        try await withCluster(pair(0x0a12_0001)) { p in
            let before = p.alice.publisher.nowUnix()
            let sent = try await p.alice.call("mailbox.send", ["from": .string(p.aliceAgent), "to": .string(p.bobAgent),
                                                               "text": "hello bob"])
            let bobAddress = try pubAddress(p.bobAgent)
            #expect(try sent.pubString("key") == bobAddress.nodeID.description)
            #expect(try sent.pubInt("replicas") > 0)
            let record = try sent.pubObject("record")
            #expect(try record.pubString("type") == "mailbox")
            #expect(try record.pubObject("payload")["recipient"] == .string(p.bobAgent))

            let read = try await p.bob.call("mailbox.read", ["agent": .string(p.bobAgent)])
            let messages = try read.pubArray("messages").compactMap(\.objectValue)
            #expect(messages.count == 1)
            let note = try #require(messages.first)
            #expect(note["from"] == .string(p.aliceAgent))
            #expect(note["msg_type"] == 3)
            #expect(note["text"] == "hello bob")
            #expect(note["data"] == .string(Base64Text.encode(Array("hello bob".utf8))))
            #expect(try note.pubInt("sent_at") <= Int64(before))
            #expect(note["expires_at"] == record["expires_at"])
            #expect(read["undecryptable"] == 0)

            // Nothing is addressed to Alice.
            let empty = try await p.alice.call("mailbox.read", ["agent": .string(p.aliceAgent), "timeout_ms": 3000])
            #expect(try empty.pubArray("messages").isEmpty)
        }
    }

    @Test func binaryNotesKeepTheirTypeAndBytes() async throws {
        try await withCluster(pair(0x0a13_0001)) { p in
            let body: [UInt8] = [0xFF, 0x00, 0xFE]
            _ = try await p.alice.call("mailbox.send", ["from": .string(p.aliceAgent), "to": .string(p.bobAgent),
                                                        "data": .string(Base64Text.encode(body)), "msg_type": 1, "ttl_s": 120])
            let read = try await p.bob.call("mailbox.read", ["agent": .string(p.bobAgent)])
            let note = try #require(try read.pubArray("messages").first?.objectValue)
            #expect(note["msg_type"] == 1)
            #expect(note["text"] == .null)
            #expect(note["data"] == .string(Base64Text.encode(body)))
            #expect(try note.pubInt("expires_at") - (try note.pubInt("sent_at")) >= 120)
        }
    }

    @Test func notesThatDoNotOpenAreCounted() async throws {
        try await withCluster(pair(0x0a14_0001)) { p in
            // A note sealed for Carol, stored under Bob's key: Bob's key cannot open it.
            let carol = Ed25519.KeyPair.generate()
            let alice = try #require(p.alice.agents.privateKey(for: try pubAddress(p.aliceAgent)))
            let sealed = try MailboxCrypto.seal(message: MailboxMessage(msgType: 3, body: Array("not for bob".utf8)),
                                                sender: alice.address, recipient: carol.address,
                                                recipientPublicKey: carol.publicKey)
            let now = p.alice.publisher.nowUnix()
            let note = try SignedRecord.sign(recType: RecordType.mailbox, payload: sealed.encoded, seq: now * 1_000_000_000,
                                             timestamp: now - 5, ttl: 600, signer: alice)
            let bobKey = JSONValue.string(try pubAddress(p.bobAgent).nodeID.description)
            _ = try await p.alice.call("publish.record", ["key": bobKey, "record": .string(Base64Text.encode(note.encoded))])
            _ = try await p.alice.call("mailbox.send", ["from": .string(p.aliceAgent), "to": .string(p.bobAgent), "text": "real"])

            let read = try await p.bob.call("mailbox.read", ["agent": .string(p.bobAgent)])
            #expect(try read.pubArray("messages").compactMap { $0.objectValue?["text"] } == ["real"])
            #expect(read["undecryptable"] == 1)
        }
    }

    @Test func recipientsWithoutAKnownKeyOrNotEd25519AreRefused() async throws {
        try await withCluster(pair(0x0a15_0001)) { p in
            let stranger = Ed25519.KeyPair.generate().address.text
            let unknown = await p.alice.failure("mailbox.send", ["from": .string(p.aliceAgent), "to": .string(stranger),
                                                                 "text": "hi", "timeout_ms": 3000])
            expectPubAppError(unknown, .notFound)
            #expect(unknown?.data?["address"] == .string(stranger))

            let ethereum = "0x52908400098527886E0F7030069857D2E4169EE7"
            let notEd25519 = await p.alice.failure("mailbox.send", ["from": .string(p.aliceAgent), "to": .string(ethereum),
                                                                    "text": "hi"])
            expectPubAppError(notEd25519, .badAddress)
        }
    }

    @Test func unknownSenderOrReaderIsNotFoundAndBadParamsNameTheField() async throws {
        try await withCluster(pair(0x0a16_0001)) { p in
            let from = JSONValue.string(p.aliceAgent), to = JSONValue.string(p.bobAgent)
            let stranger = JSONValue.string(Ed25519.KeyPair.generate().address.text)

            let sender = await p.alice.failure("mailbox.send", ["from": stranger, "to": to, "text": "hi"])
            expectPubAppError(sender, .notFound)
            #expect(sender?.data?["agent"] == stranger)
            // Bob's agent lives in Bob's daemon, not Alice's.
            let reader = await p.alice.failure("mailbox.read", ["agent": to])
            expectPubAppError(reader, .notFound)
            #expect(reader?.data?["agent"] == to)

            let tooLong = JSONValue.string(String(repeating: "x", count: MailboxCrypto.maxBodySize + 1))
            let cases: [(JSONObject, String)] = [
                (["to": to, "text": "hi"], "from"),
                (["from": from, "text": "hi"], "to"),
                (["from": from, "to": to], "text"),
                (["from": from, "to": to, "text": "hi", "data": "aGk="], "data"),
                (["from": from, "to": to, "text": tooLong], "text"),
                (["from": from, "to": to, "data": "!!"], "data"),
                (["from": from, "to": to, "text": "hi", "msg_type": 256], "msg_type"),
                (["from": from, "to": to, "text": "hi", "ttl_s": -1], "ttl_s"),
                (["from": from, "to": to, "text": "hi", "subject": "x"], "subject"),
            ]
            for (params, field) in cases {
                expectPubInvalidParams(await p.alice.failure("mailbox.send", params), field: field)
            }
            expectPubInvalidParams(await p.bob.failure("mailbox.read", [:]), field: "agent")
            expectPubInvalidParams(await p.bob.failure("mailbox.read", ["agent": to, "timeout_ms": "soon"]), field: "timeout_ms")
        }
    }
}
