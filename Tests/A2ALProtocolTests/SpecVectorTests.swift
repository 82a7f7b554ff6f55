import Testing
import A2ALCore
@testable import A2ALProtocol

/// The deterministic vectors of docs/protocol.md §6.2 (RFC 8032 keys A and B).
@Suite struct SpecVectorTests {
    static let seedA = [UInt8](hex: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")!
    static let seedB = [UInt8](hex: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")!
    let a = try! Ed25519.KeyPair(seed: seedA)
    let b = try! Ed25519.KeyPair(seed: seedB)
    let tx = [UInt8](0..<20)
    let observed = WireEndpoint(ip: IPAddress(text: "203.0.113.7")!, port: 4001)

    func h(_ s: String) -> [UInt8] { [UInt8](hex: s.replacingOccurrences(of: " ", with: ""))! }

    /// The endpoint record by A of §6.2.
    var endpointRecordA: SignedRecord {
        let payload = EndpointPayload(endpoints: ["quic://203.0.113.7:4001"], natType: 1).encoded
        return try! SignedRecord.sign(recType: 1, payload: payload, seq: 1, timestamp: 1_700_000_000, ttl: 3600, signer: a)
    }

    @Test func identities() {
        #expect(a.address.bytes.hex == "a021fe31dfa154a261626bf854046fd2271b7bed4b")
        #expect(a.address.nodeID.bytes.hex == "3bf9e38126470a45d7bd0723a718fc9372705ba37272e75891d22088b5d3115d")
        #expect(b.address.bytes.hex == "a039f713d0a644253f04529421b9f51b9b08979d08")
        #expect(b.address.text == "a039F713d0a644253F04529421b9F51B9b08979d08")
        #expect(b.address.nodeID.bytes.hex == "00e2cf69479a3c5807349695ad8fd0bf33c9d1bc3b2e223e59d4654118c2f547")
        #expect(Address(bytes: [0xA3] + [UInt8](repeating: 0, count: 20))!.nodeID.bytes.hex
                == "f74c1e8e35beb46264eee41b0464c33dfd0a5516377c5df512f647d3fd4e28e7")
        #expect(Address(bytes: [0xA0] + [UInt8](repeating: 0xab, count: 20))!.nodeID.bytes.hex
                == "34d2659e462c3b75ac561bc199081c09bed672d91d8e401ebaeea0692da9be85")
    }

    /// (body, signer, body hex, signature hex) for each message of §6.2.
    @Test func messages() throws {
        let rec = endpointRecordA
        let nodeA = NodeInfo(address: a.address, endpoint: WireEndpoint(ip: IPAddress(text: "198.51.100.1")!, port: 4001))
        let cases: [(String, MessageBody, Ed25519.KeyPair, String, String)] = [
            ("PING", .ping(Ping(address: a.address)), a, "a10155a021fe31dfa154a261626bf854046fd2271b7bed4b",
             "6809db1e67dea4b8d623a8fa8d650af8bb1b280fe9e02c1e2abb2e6037d4d9e816830e381aa6a9a9448cbaa3766ca81a3772672f51d9fc70002a44fbf212500c"),
            ("PONG", .pong(Pong(address: b.address, observed: observed)), b,
             "a20155a039f713d0a644253f04529421b9f51b9b08979d080246cb0071070fa1",
             "63dee530e3dc6b699295fd076a86f7771641454a955367a4d12f37f98f727ebc917f7258b3512011f49fae3c01a8135fe892ae609e8da85976d8115ace590609"),
            ("FIND_NODE", .findNode(FindNode(target: b.address.nodeID)), a,
             "a101582000e2cf69479a3c5807349695ad8fd0bf33c9d1bc3b2e223e59d4654118c2f547",
             "434e8323a1a5cb9d9c1105275696387a056cb18eeb9ab8ea6eacc0363a8be84cc2aafe86846e70002841c55812f9a3eca4a91e9e4ba6361258dd49296e13af0f"),
            ("FIND_NODE_RESP", .findNodeResp(FindNodeResp(nodes: [nodeA], observed: observed)), b,
             "a20181a40155a021fe31dfa154a261626bf854046fd2271b7bed4b0258203bf9e38126470a45d7bd0723a718fc9372705ba37272e75891d22088b5d3115d0344c633640104190fa10246cb0071070fa1",
             "9620ba509cb0b17f7ac7a0054d75dbd62f9a65661dbb8835a10ae9e1d37797cfb433640cd37e0fd4026596467acfef7b78adc3074b8db7b6a064196b248a2a0e"),
            ("FIND_NODE_RESP nil", .findNodeResp(FindNodeResp(nodes: nil, observed: observed)), b, "a201f60246cb0071070fa1",
             "e728f1dc39b6e57202e60eb19c50837a301a6cf120d104c9c4939a482bc2d589a8a5ea01ba01f173e0c03f335afca4d9c9b2c9bb81d068688a24fcca7abb2101"),
            ("FIND_NODE_RESP empty", .findNodeResp(FindNodeResp(nodes: [], observed: observed)), b, "a201800246cb0071070fa1",
             "78f192452eb13783f36c1df14613e43b95f62622a22f07519992376ef5b83a7951829f73ba57a2640d5ac706542498644ec764807d05204d93f9b369ac74840f"),
            ("FIND_VALUE", .findValue(FindValue(target: b.address.nodeID)), a,
             "a101582000e2cf69479a3c5807349695ad8fd0bf33c9d1bc3b2e223e59d4654118c2f547",
             "95f415c2671f64704ca10b47e6525dbea9426c7e3bf355e6f8fd91a969a9ee30a9979e56348e8de7b1b4c79bb1ad611a3f17eb6b16de962d557d5bf0feab5509"),
            ("FIND_VALUE 0x80", .findValue(FindValue(target: b.address.nodeID, recType: 0x80)), a,
             "a201582000e2cf69479a3c5807349695ad8fd0bf33c9d1bc3b2e223e59d4654118c2f547021880",
             "e7d285f3bab05ef4e280f4ec1e7b1387dbca40c5c8886448aa151e5d13687b8d4e981995611587bbe0412bd836f38f4b0395022caff77392fe87c77bf01fcb08"),
            ("STORE", .store(Store(record: rec, key: a.address.nodeID)), a,
             "a201" + rec.encoded.hex + "0258203bf9e38126470a45d7bd0723a718fc9372705ba37272e75891d22088b5d3115d",
             "7029dd023b81cca8fdb2bf82d6149b1abd7f730d65d88e38fa10528c4490e57e5a7cf21aaf75e17eb1cbf8a31f27a1af49b5f480cb676ed55201519ece9db10a"),
            ("STORE no key", .store(Store(record: rec, key: nil)), a, "a101" + rec.encoded.hex,
             "77b9e8291d5df9d8b0b2c50480f0ab661a5a5c22427344bba0bb3db09cf2000b5ae7634df67cd67e2be5866a4d7f86a371d3c5f8826c6e678ca8c076b6eb1505"),
            ("STORE_RESP true", .storeResp(StoreResp(stored: true)), b, "a101f5",
             "dfc1bcad07766742ae1ef389430806eb583a67a0ee5c6b8a5e906d6eeb8512acf370827bf990beb08406d36ac736728a2741e23d4dd65a910f1858d195617709"),
            ("STORE_RESP false", .storeResp(StoreResp(stored: false)), b, "a101f4",
             "ff6d4d023571bf755ab91d5ac6cf8eb1fc1133a46d5f2f7350d9af12ee9935b3c6696fe4d472b7eef1b68fb84c1a075f8a819baaf8825e296d0d2bc0bf103d0d"),
            ("FIND_VALUE_RESP", .findValueResp(FindValueResp(nodes: nil, record: rec, observed: observed, records: [rec])), b,
             "a401f602" + rec.encoded.hex + "0346cb0071070fa10481" + rec.encoded.hex,
             "b9cc77d39d54220fb14a7ca656c6e780a00438c607b5c50b39b633799321347d644bdbcd48a731b19d91af9c8f2cf9f73231b818a989b72dbecf86cd67daab0a"),
            ("FIND_VALUE_RESP empty", .findValueResp(FindValueResp(nodes: nil, record: nil, observed: observed, records: [])), b,
             "a201f60346cb0071070fa1",
             "97df374562f8b0af880df4abe5d55c3c2b69557188dadec687d59545ed5628748c9416f93a4f6def98b846d3fa9d56b1b03b3e95edb29107ac008247a0d48b0b"),
            ("NAT_PROBE_REQ", .natProbeRequest(NATProbeRequest(token: h("0102030405060708"), claimed: observed)), a,
             "a2014801020304050607080246cb0071070fa1",
             "c93f3124b64592322d2d97d7285bb23c807d2bb8ec5a2900ddaba8b664538d8f2c70d806df8e770c5fcfb7978b49786e23cd774572d2cf064e036a111fdf8303"),
            ("NAT_PROBE_ECHO", .natProbeEcho(NATProbeEcho(token: h("0102030405060708"))), b, "a101480102030405060708",
             "a84c0e78b6f7d1018bf20d49192b6f421a97d51c0396d2988098e26c63db11f25239a9616248f26854bb224093bad6a89ba74ef266c47807e830fe07cda16a05"),
        ]
        let sizes = ["PING": 158, "PONG": 166, "FIND_NODE": 170, "FIND_NODE_RESP": 214, "STORE": 343, "STORE no key": 308,
                     "STORE_RESP true": 137, "FIND_VALUE_RESP": 492]
        for (name, body, key, bodyHex, sigHex) in cases {
            #expect(body.encoded.hex == bodyHex, "\(name) body")
            let wire = try Packet.encode(body: body, txID: tx, signer: key)
            let decoded = try Packet.decode(wire)
            #expect(decoded.signature.hex == sigHex, "\(name) signature")
            #expect(decoded.body == body, "\(name) round trip")
            if let size = sizes[name] { #expect(wire.count == size, "\(name) size") }
        }
        let ping = try Packet.encode(body: cases[0].1, txID: tx, signer: a)
        #expect(ping.hex == "a401a40101020003010454000102030405060708090a0b0c0d0e0f1011121302a10155a021fe31dfa154a261626bf854046fd2271b7bed4b035820d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a0458406809db1e67dea4b8d623a8fa8d650af8bb1b280fe9e02c1e2abb2e6037d4d9e816830e381aa6a9a9448cbaa3766ca81a3772672f51d9fc70002a44fbf212500c")
    }

    @Test func endpointRecordAndPayloads() {
        let rec = endpointRecordA
        #expect(rec.payload?.hex == "a2018177717569633a2f2f3230332e302e3131332e373a343030310201")
        #expect(rec.signature.hex == "050973bff16948f42a886241788deb65b5438e64f36cc74e7f769b372629fdd709044cfb5603243c274b9929053aade2a5961e328b51b8b7a5e487768744f90f")
        #expect(EndpointPayload(endpoints: nil).encoded.hex == "a201f60200")
        let all = EndpointPayload(endpoints: ["quic://203.0.113.7:4001"], natType: 2, signal: "wss://s1.example/ws",
                                  turns: ["turn:relay.example:3478?transport=udp"],
                                  signals: ["wss://s1.example/ws", "wss://s2.example/ws"])
        #expect(all.encoded.hex == "a5018177717569633a2f2f3230332e302e3131332e373a34303031020203737773733a2f2f73312e6578616d706c652f7773048178257475726e3a72656c61792e6578616d706c653a333437383f7472616e73706f72743d7564700582737773733a2f2f73312e6578616d706c652f7773737773733a2f2f73322e6578616d706c652f7773")
    }

    @Test func topicVectors() throws {
        let t = TopicPayload(topic: "ai/test", name: "n", protocols: ["mcp"], tags: ["a"], brief: "hi", meta: ["k": .text("v")])
        #expect(t.encoded.hex == "a70101026761692f7465737403616e0481636d6370058161610662686907a1616b6176")
        #expect(TopicPayload(topic: "t", version: 0).encoded.hex == "a60101026174036004f605f60660")
        let meta: [String: CBOR] = ["bb": .unsigned(1), "a": .unsigned(2), "c": .negative(0), "zz": .text("x")]
        #expect(TopicPayload(topic: "t", meta: meta).encoded.hex
                == "a70101026174036004f605f6066007a461610261632062626201627a7a6178")
        #expect(TopicKey.key(for: "ai/test").bytes.hex == "52924d9290f47cf781cdcfed6e63242801c16f2da8f2eab39f326148bd6f2810")
        #expect(TopicKey.key(for: "").bytes.hex == "9ccf1ee1f1616fee2de3eb450492c3e6239ac13fdf70fc79bdb55aac969b9ea6")
        #expect(TopicKey.key(for: "lang/go").bytes.hex == "c87bf39b6e84ef681e6df4c15b7538d0e7b32581e213141c908e358eddd8436e")
        let rec = try SignedRecord.sign(recType: 0x10, payload: t.encoded, seq: 1_700_000_000_000_000_000,
                                        timestamp: 1_700_000_000, ttl: 3600, signer: a)
        #expect(rec.encoded.hex == "a80155a021fe31dfa154a261626bf854046fd2271b7bed4b0210035823a70101026761692f7465737403616e0481636d6370058161610662686907a1616b6176041b17979cfe362a0000051a6553f10006190e10075820d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a08584083a6057f9183c227ac5ddc3ad01f7dd5f4b630ce70f7ad98126b8fced517c4406877c1db50ecb2a0a04321849162121affb414ca150c9b09487a2dbba368950a")
        // A brief of 141 code points is rejected.
        let long = TopicPayload(topic: "t", brief: String(repeating: "世", count: 141))
        #expect(throws: RecordError.invalidPayload("brief longer than 140 code points")) { try long.validate() }
    }

    @Test func mailboxAToB() throws {
        let msg = MailboxMessage(msgType: 3, body: Array("hello".utf8))
        #expect(msg.encoded.hex == "a20103024568656c6c6f")
        let eph = [UInt8](0x40...0x5f)
        #expect(try X25519.publicKey(fromPrivate: eph).hex == "79a631eede1bf9c98f12032cdeadd0e7a079398fc786b88cc846ec89af85a51a")
        #expect(try X25519.publicKey(fromEd25519: b.publicKey).hex == "25c704c594b88afc00a76b69d1ed2b984d7e22550f3ed0802d04fbcd07d38d47")
        #expect(try X25519.privateKey(fromEd25519Seed: b.seed).hex == "68bd9ed75882d52815a97585caf4790a7f6c6b3b7f821c5e259a24b02e502e51")
        let payload = try MailboxCrypto.seal(message: msg, sender: a.address, recipient: b.address,
                                             recipientPublicKey: b.publicKey, ephemeralPrivateKey: eph, nonce: [UInt8](0..<12))
        #expect(payload.ciphertext?.hex == "5ec98e90f1dc281a118275cd43718b362b0a2c7a9a84163e0ea3")
        #expect(payload.encoded.hex == "a50155a039f713d0a644253f04529421b9f51b9b08979d080255a021fe31dfa154a261626bf854046fd2271b7bed4b03582079a631eede1bf9c98f12032cdeadd0e7a079398fc786b88cc846ec89af85a51a04581a5ec98e90f1dc281a118275cd43718b362b0a2c7a9a84163e0ea3054c000102030405060708090a0b")
        let rec = try SignedRecord.sign(recType: 0x80, payload: payload.encoded, seq: 1_700_000_000_123_456_789,
                                        timestamp: 1_700_000_000, ttl: 3600, signer: a)
        #expect(rec.signature.hex == "463949c6021a73ae0dda82f3aff5405edf2f730751bc00c15558baca2f0710826e39988f5bfa003d7164bc7741f914379f2c1959a4a37dbae4eed05207281406")
        let opened = try MailboxCrypto.open(record: rec, ownAddress: b.address, ownSeed: b.seed)
        #expect(opened.sender == a.address && opened.message == msg)
        // A third party cannot open it.
        let c = Ed25519.KeyPair.generate()
        #expect(throws: MailboxError.wrongRecipient) { try MailboxCrypto.open(record: rec, ownAddress: c.address, ownSeed: c.seed) }
        #expect(throws: MailboxError.crypto(.authenticationFailed)) {
            try MailboxCrypto.open(record: rec, ownAddress: b.address, ownSeed: c.seed)
        }
    }

    @Test func ed25519Delegation() throws {
        let proof = DelegationProof.signEd25519(master: a, opPub: b.publicKey, issuedAt: 1_700_000_000, expiresAt: 0)
        #expect(proof.ed25519Preimage.hex == "6132616c2d64656c00a6015820d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a0258203d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c0355a021fe31dfa154a261626bf854046fd2271b7bed4b041a6553f10005000601")
        #expect(proof.signature.hex == "aaebfe83efcd354534f9035ba1a0da7a43e5d0f6d933948c46d4649ef23c4f5f1acc1583b9bcc4c6b60883dfbfe07470efedf2eb599385bc7e8353bf3cdcce0e")
        #expect(proof.encoded.hex == "a7015820d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a0258203d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c0355a021fe31dfa154a261626bf854046fd2271b7bed4b041a6553f10005000601075840aaebfe83efcd354534f9035ba1a0da7a43e5d0f6d933948c46d4649ef23c4f5f1acc1583b9bcc4c6b60883dfbfe07470efedf2eb599385bc7e8353bf3cdcce0e")
        let payload = EndpointPayload(endpoints: ["quic://203.0.113.7:4001"], natType: 1).encoded
        let rec = try SignedRecord.sign(address: a.address, recType: 1, payload: payload, seq: 2, timestamp: 1_700_000_000,
                                        ttl: 3600, signer: b, delegation: proof.encoded)
        #expect(rec.encoded.hex == "a90155a021fe31dfa154a261626bf854046fd2271b7bed4b020103581da2018177717569633a2f2f3230332e302e3131332e373a3430303102010402051a6553f10006190e100758203d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c085840735e9ef0fe113407624627da5b303b3a3405e13f808085d9d59cba26598f273c0b5e77bf5ac0b8176175441d769f27b76d3986305cf8cf6c19a9f81b11eb8e040958aba7015820d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a0258203d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c0355a021fe31dfa154a261626bf854046fd2271b7bed4b041a6553f10005000601075840aaebfe83efcd354534f9035ba1a0da7a43e5d0f6d933948c46d4649ef23c4f5f1acc1583b9bcc4c6b60883dfbfe07470efedf2eb599385bc7e8353bf3cdcce0e")
        try RecordAuthority.check(rec, key: a.address.nodeID, now: 1_700_000_001)
        // B may not publish for A without the proof.
        var bare = rec
        bare.delegation = []
        #expect(throws: AuthorityError.notAuthorized) { try RecordAuthority.check(bare, key: a.address.nodeID, now: 1_700_000_001) }
    }

    @Test func blockchainDelegationMessages() throws {
        let eth = try Address(text: "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf")
        let ethText = DelegationMessage.text(chain: .ethereum, opPub: b.publicKey, agent: eth, scope: 1,
                                             issuedAt: 1_700_000_000, expiresAt: 0)
        #expect(ethText == "A2AL Delegation Authorization\nAuthorize this Ed25519 key to operate on behalf of your Ethereum address.\n\nop_key:3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c\nagent:0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf\nscope:1\nissued_at:1700000000\nexpires_at:0\n")
        #expect(ethText.utf8.count == 268)
        #expect(DelegationProof.ethereumHash(ethText).hex == "9bd0e1866e198441ebff095c6b36277c03f00a43e24f8faf15c66521a840637a")
        let par = try #require(Address(version: 0xA2, hash20: h("751e76e8199196d454941c45d1b3a323f1433bd6")))
        let parText = DelegationMessage.text(chain: .paralism, opPub: b.publicKey, agent: par, scope: 1,
                                             issuedAt: 1_700_000_000, expiresAt: 0)
        #expect(parText.utf8.count == 269)
        #expect(parText.contains("agent:bc1qp63uahgrxged4z5jswyt5dn5v3lzsem6c0qqhg8\n"))
        #expect(DelegationProof.bitcoinHash(parText).hex == "76c0b9591efe9d436caa0fe34bb76a5ad079ddf5fa8b1b97af28dccc5b977b93")

        // Key 1 signs both kinds of proof; they parse and verify, and the agent is key 1's address.
        let one = try Secp256k1.PrivateKey(bytes: [UInt8](repeating: 0, count: 31) + [1])
        let ethProof = try DelegationProof.signEthereum(master: one, opPub: b.publicKey, issuedAt: 1_700_000_000, expiresAt: 0)
        #expect(ethProof.agentAddr == eth && ethProof.message == ethText)
        try DelegationProof(encoded: ethProof.encoded).verify(now: 1_700_000_001)
        let parProof = try DelegationProof.signParalism(master: one, opPub: b.publicKey, issuedAt: 1_700_000_000, expiresAt: 0)
        #expect(parProof.agentAddr == par && parProof.message == parText)
        try DelegationProof(encoded: parProof.encoded).verify(now: 1_700_000_001)
    }
}
