import Testing
import A2ALCore
@testable import A2ALProtocol

/// The canonical fast path and the general decoder must agree: whatever the fast path accepts
/// decodes to exactly the general path's result, over random messages of every type and
/// random mutations of them.
@Suite struct FastPathEquivalenceTests {
    var rng = SystemRandomNumberGenerator()
    let keys = (0..<4).map { _ in Ed25519.KeyPair.generate() }

    mutating func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) } }
    mutating func maybe() -> Bool { Bool.random(using: &rng) }

    mutating func endpoint() -> WireEndpoint {
        let ip = maybe() ? IPAddress(bytes: bytes(4))! : IPAddress(bytes: bytes(16))!
        return WireEndpoint(ip: ip, port: UInt16.random(in: 0...UInt16.max, using: &rng))
    }

    mutating func nodes() -> [NodeInfo]? {
        switch Int.random(in: 0...3, using: &rng) {
        case 0: return nil
        case 1: return []
        default:
            return (0..<Int.random(in: 1...6, using: &rng)).map { _ in
                NodeInfo(address: Address(bytes: bytes(21))!, nodeID: NodeID(bytes: bytes(32))!, ip: endpoint().ip,
                         port: UInt16.random(in: 0...UInt16.max, using: &rng))
            }
        }
    }

    mutating func record() -> SignedRecord {
        SignedRecord(address: Address(bytes: bytes(21))!, recType: UInt8.random(in: 0...255, using: &rng),
                     payload: maybe() ? nil : bytes(Int.random(in: 0...40, using: &rng)),
                     seq: UInt64.random(in: 0...UInt64.max, using: &rng), timestamp: UInt64.random(in: 0...UInt64(UInt32.max), using: &rng),
                     ttl: UInt32.random(in: 0...UInt32.max, using: &rng), pubkey: bytes(32), signature: bytes(64),
                     delegation: maybe() ? [] : bytes(Int.random(in: 1...30, using: &rng)))
    }

    mutating func body() -> MessageBody {
        switch Int.random(in: 0..<12, using: &rng) {
        case 0: return .ping(Ping(address: keys[0].address))
        case 1: return .pong(Pong(address: keys[0].address, observed: endpoint()))
        case 2: return .findNode(FindNode(target: NodeID(bytes: bytes(32))!))
        case 3: return .findNodeResp(FindNodeResp(nodes: nodes(), observed: endpoint()))
        case 4: return .findValue(FindValue(target: NodeID(bytes: bytes(32))!, recType: maybe() ? 0 : UInt8.random(in: 0...255, using: &rng),
                                             oneShotSubscribe: maybe()))
        case 5:
            return .findValueResp(FindValueResp(nodes: nodes(), record: maybe() ? record() : nil, observed: endpoint(),
                                                records: (0..<Int.random(in: 0...2, using: &rng)).map { _ in record() }))
        case 6: return .store(Store(record: record(), key: maybe() ? nil : NodeID(bytes: bytes(32))!))
        case 7: return .storeResp(StoreResp(stored: maybe(), alreadyHad: maybe(), reason: maybe() ? 0 : UInt8.random(in: 0...255, using: &rng)))
        case 8: return .natProbeRequest(NATProbeRequest(token: bytes(8), claimed: endpoint()))
        case 9: return .natProbeEcho(NATProbeEcho(token: bytes(8)))
        case 10: return .dhtPush(DHTPush(key: NodeID(bytes: bytes(32))!, record: record()))
        default: return .dhtPushAck(DHTPushAck(key: NodeID(bytes: bytes(32))!, msgID: bytes(32), oneShotSubscribe: maybe()))
        }
    }

    @Test mutating func fastPathAgreesWithGeneralPath() throws {
        var encoded = 0, fastAccepted = 0, mutatedFastAccepted = 0
        for i in 0..<4000 {
            let b = body()
            // Random lists can exceed a datagram (the only way encoding fails here); never sent.
            guard let wire = try? Packet.encode(body: b, txID: bytes(20), signer: keys[0]) else { continue }
            encoded += 1
            // Canonical input: the fast path must take it, and agree.
            let fast = try #require(Packet.parseCanonical(wire)?.0, "fast path refused canonical \(b.type)")
            #expect(fast == (try Packet.parseGeneral(wire)))
            #expect(fast.body == b)
            fastAccepted += 1
            // Mutations: when the fast path still accepts, the general path must give the same.
            var m = wire
            for _ in 0..<(1 + i % 3) { m[Int.random(in: 0..<m.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            if let f = Packet.parseCanonical(m)?.0 {
                mutatedFastAccepted += 1
                #expect(f == (try? Packet.parseGeneral(m)), "paths disagree on \(m.hex)")
            }
        }
        #expect(encoded > 3500 && fastAccepted == encoded)
        #expect(mutatedFastAccepted > 0)
    }

    /// Lenient forms are left to the general path.
    @Test func nonCanonicalLayoutsFallBack() throws {
        let a = keys[0]
        let tx = [UInt8](0..<20)
        let header = "a40101020003010454" + tx.hex
        let bodies = ["a1613155" + a.address.bytes.hex, "bf0155" + a.address.bytes.hex + "ff", "d9d9f7a10155" + a.address.bytes.hex,
                      "a20155" + a.address.bytes.hex + "0900"]
        for body in bodies {
            let sig = a.sign(ProtocolConstants.messageSignPrefix + [UInt8](hex: header)! + [UInt8](hex: "a10155" + a.address.bytes.hex)!)
            let wire = [UInt8](hex: "a401" + header + "02" + body + "035820" + a.publicKey.hex + "045840" + sig.hex)!
            #expect(Packet.parseCanonical(wire) == nil)
            #expect(try Packet.decode(wire).body == .ping(Ping(address: a.address)))
        }
    }
}
