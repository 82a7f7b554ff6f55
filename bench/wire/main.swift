// Wire benchmark: packets signed+encoded and decoded+verified per second, next to raw libsodium
// Ed25519 sign and verify rates measured in the same run over preimages of the same size.
// A message that carries a signed record (STORE, DHT_PUSH) is only verified once its record's
// own signature and rules are checked too (SignedRecord.verify, what the node does before
// storing), so for those decode+verify includes that check and the raw side is two verifies:
// the packet's preimage and the record's.
// Prints one JSON object. Usage: a2al-bench-wire [--seconds S] [--only MESSAGE]
// (S seconds per measurement, default 1).
// Build with -c release; a debug build measures the optimiser's absence.
import A2ALCore
import A2ALProtocol
#if canImport(Glibc)
import Glibc
#endif

let secondsPerRun: Double = {
    let args = CommandLine.arguments
    if let i = args.firstIndex(of: "--seconds"), i + 1 < args.count, let s = Double(args[i + 1]), s > 0 { return s }
    return 1.0
}()

/// Rounds per measurement: a pair of measurements is interleaved round by round and each
/// reports its median, so frequency drift and noisy neighbours hit both sides alike.
let rounds = 15

/// Runs `body` in batches for `secondsPerRun / rounds`; returns operations per second.
func rate(_ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    for _ in 0..<200 { try body() }  // warm-up
    var ops = 0
    let start = clock.now
    var elapsed = Duration.zero
    repeat {
        for _ in 0..<200 { try body() }
        ops += 200
        elapsed = clock.now - start
    } while elapsed < .seconds(secondsPerRun / Double(rounds))
    let secs = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return Double(ops) / secs
}

/// Median operations per second of `a` and of `b`, measured alternately, and the median of
/// the per-round ratios b/a (adjacent rounds share the machine's state, so the ratio is steadier
/// than either rate on a shared host).
func interleaved(_ a: () throws -> Void, _ b: () throws -> Void) rethrows -> (Double, Double, Double) {
    var ra: [Double] = [], rb: [Double] = [], ratios: [Double] = []
    for _ in 0..<rounds {
        let x = try rate(a), y = try rate(b)
        ra.append(x)
        rb.append(y)
        ratios.append(y / x)
    }
    return (ra.sorted()[rounds / 2], rb.sorted()[rounds / 2], ratios.sorted()[rounds / 2])
}

/// A sink the optimiser cannot see through.
nonisolated(unsafe) var sink = 0

let signer = Ed25519.KeyPair.generate()
let observed = WireEndpoint(ip: IPAddress(text: "203.0.113.7")!, port: 4001)
let contacts = (0..<15).map { _ in NodeInfo(address: Ed25519.KeyPair.generate().address, endpoint: observed) }
let record = try SignedRecord.sign(recType: RecordType.endpoint,
                                   payload: EndpointPayload(endpoints: ["quic://203.0.113.7:4001"], natType: 1).encoded,
                                   seq: 1, timestamp: 1_700_000_000, ttl: 3600, signer: signer)
let txID = Header.randomTxID()

/// `--only NAME` restricts the run to one message (handy under valgrind).
let only: String? = {
    let args = CommandLine.arguments
    if let i = args.firstIndex(of: "--only"), i + 1 < args.count { return args[i + 1] }
    return nil
}()

let allCases: [(String, MessageBody)] = [
    ("ping", .ping(Ping(address: signer.address))),
    ("find_node_resp_15_nodes", .findNodeResp(FindNodeResp(nodes: contacts, observed: observed))),
    ("store_endpoint_record", .store(Store(record: record, key: nil))),
    ("find_value_subscribe_v024", .findValue(FindValue(target: signer.address.nodeID, recType: RecordType.topic,
                                                       oneShotSubscribe: true))),
    ("dht_push_endpoint_record", .dhtPush(DHTPush(key: signer.address.nodeID, record: record))),
]
let cases = allCases.filter { only == nil || $0.0 == only }

/// The signed record a message carries, whose own signature the receiver must check.
func carriedRecord(_ body: MessageBody) -> SignedRecord? {
    switch body {
    case .store(let store): return store.record
    case .dhtPush(let push): return push.record
    default: return nil
    }
}

func round1(_ x: Double) -> Double { (x * 10).rounded() / 10 }
func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }

var results: [String] = []
var worstRatio = Double.infinity
for (name, body) in cases {
    let wire = try Packet.encode(body: body, txID: txID, signer: signer)
    let preimage = ProtocolConstants.messageSignPrefix + Header(msgType: body.type, txID: txID).encoded + body.encoded
    let signature = signer.sign(preimage)

    let (rawSign, encode, encodeRatio) = try interleaved({ sink &+= Int(signer.sign(preimage)[0]) },
                                            { sink &+= try Packet.encode(body: body, txID: txID, signer: signer).count })
    let carried = carriedRecord(body)
    let recordPreimage = carried?.signingPreimage ?? []
    let recordNow = (carried?.timestamp ?? 0) + 1
    let (rawVerify, decode, ratio) = try interleaved(
        {
            sink &+= Ed25519.verify(signature: signature, message: preimage, publicKey: signer.publicKey) ? 1 : 0
            if let carried {
                sink &+= Ed25519.verify(signature: carried.signature, message: recordPreimage, publicKey: carried.pubkey) ? 1 : 0
            }
        },
        {
            let packet = try Packet.decode(wire)
            sink &+= packet.signature.count
            if let record = carriedRecord(packet.body) {
                try record.verify(now: recordNow)
                sink &+= 1
            }
        })
    // A forged signature on a canonical datagram: verification over the received bytes fails and
    // the re-encoding is the same bytes, so rejecting it must cost one verification, not two.
    var forged = wire
    forged[forged.count - 1] ^= 0x01
    let (_, reject, rejectRatio) = try interleaved(
        { sink &+= Ed25519.verify(signature: signature, message: preimage, publicKey: signer.publicKey) ? 1 : 0 },
        { sink &+= (try? Packet.decode(forged)) == nil ? 1 : 0 })
    // The general (lenient) decoding path, for reference: the fast path handles canonical input.
    let decodeOnly = try rate { sink &+= (try CBOR.decode(wire)).kindName.count }
    let bodyItem = try CBORFields(try CBOR.decode(wire), context: "packet").value(2) ?? .null
    let typedBody = try rate { sink &+= (try MessageBody(type: body.type, cbor: bodyItem)).encoded.count }
    worstRatio = min(worstRatio, ratio)
    results.append("""
        {"message":"\(name)","datagram_bytes":\(wire.count),"record_signature_verified":\(carried != nil),\
        "raw_ed25519_sign_per_s":\(round1(rawSign)),"sign_encode_per_s":\(round1(encode)),\
        "sign_encode_vs_raw_sign":\(round3(encodeRatio)),\
        "raw_ed25519_verify_per_s":\(round1(rawVerify)),"decode_verify_per_s":\(round1(decode)),\
        "decode_verify_vs_raw_verify":\(round3(ratio)),\
        "reject_forged_signature_per_s":\(round1(reject)),"reject_forged_vs_raw_verify":\(round3(rejectRatio)),\
        "general_path_cbor_parse_per_s":\(round1(decodeOnly)),\
        "general_path_body_decode_reencode_per_s":\(round1(typedBody))}
        """)
}

func cpuModel() -> String {
    guard let f = fopen("/proc/cpuinfo", "r") else { return "unknown" }
    defer { fclose(f) }
    var line = [CChar](repeating: 0, count: 512)
    while fgets(&line, Int32(line.count), f) != nil {
        let s = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if s.hasPrefix("model name"), let colon = s.firstIndex(of: ":") {
            return String(s[s.index(after: colon)...].trimmingPrefix(" ")).replacing("\n", with: "").replacing("\"", with: "'")
        }
    }
    return "unknown"
}

#if DEBUG
let buildMode = "debug"
#else
let buildMode = "release"
#endif
print("""
{"benchmark":"wire",\
"config":{"build":"\(buildMode)","seconds_per_measurement":\(secondsPerRun),"rounds":\(rounds),"threads":1,\
"only":\(only.map { "\"\($0)\"" } ?? "null"),\
"record_verification":"STORE and DHT_PUSH: decode+verify includes SignedRecord.verify; raw side is two Ed25519 verifies"},\
"machine":{"cpu":"\(cpuModel())","cores":\(sysconf(Int32(_SC_NPROCESSORS_ONLN)))},\
"goal":"decode_verify_vs_raw_verify >= 0.85","worst_decode_verify_vs_raw_verify":\(round3(worstRatio)),\
"results":[\(results.joined(separator: ","))],"sink":\(sink & 1)}
""")
