// Fuzz target: the datagram decoder (Packet.decode and the two parsers behind it).
//
// For every input (a datagram, as a peer could send it):
// 1. `Packet.decode` under the three schemas (.current, .v029, .v017) never crashes, and what
//    it accepts is exactly what the general parser reads (projected to v0.1.7 for .v017).
// 2. The canonical fast path agrees with the general parser whenever it accepts.
// 3. When the general parser reads a message (signature not checked yet):
//    a. its header and body re-encode canonically to bytes that decode to the same values, and
//       re-encoding those gives the same bytes (a fixed point);
//    b. re-signed over the header and body items *as received* with a fixed key, the datagram
//       decodes under .current to the same message (PING/PONG: fails the address binding);
//    c. re-encoded canonically and signed with the fixed key (PING/PONG carrying its
//       address), the datagram takes the fast path and decodes under .current and .v029, and
//       under .v017 exactly when a v0.1.7 receiver knows the type and every field.
import A2ALCore
@testable import A2ALProtocol
import FuzzDriver
import FuzzSupport

@_cdecl("fuzz_packet_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    a2al_fuzz_main(argc, argv)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    checkDatagram(fuzzInput(start, count))
    return 0
}

func decodeResult(_ wire: [UInt8], _ schema: WireSchema) -> Result<Packet, PacketError> {
    do throws(PacketError) {
        return .success(try Packet.decode(wire, schema: schema))
    } catch {
        return .failure(error)
    }
}

func checkDatagram(_ wire: [UInt8]) {
    let general = try? Packet.parseGeneral(wire)

    // 2. Fast path ⊆ general path.
    if let (fast, _) = Packet.parseCanonical(wire) {
        invariant(general == fast, "fast path read \(fast) but the general path gives \(String(describing: general)); wire \(wire.hexText)")
    }

    // 1. Each schema accepts only what the general parser reads.
    for schema in [WireSchema.current, .v029, .v017] {
        guard case .success(let p) = decodeResult(wire, schema) else { continue }
        guard let g = general else {
            invariant(false, "decode(\(schema)) accepted what the general parser refuses; wire \(wire.hexText)")
            return
        }
        let expectedBody = schema == .v017 ? g.body.v017Projection : g.body
        invariant(p.header == g.header && p.body == expectedBody && p.senderPublicKey == g.senderPublicKey
                  && p.signature == g.signature,
                  "decode(\(schema)) gave \(p), general parser \(g); wire \(wire.hexText)")
    }

    guard let g = general else { return }
    checkReencoding(g, wire)
    checkResignedAsReceived(g, wire)
    checkResignedCanonically(g, wire)
}

/// 3a. Canonical re-encoding of header and body is a fixed point of decode ∘ encode.
func checkReencoding(_ g: Packet, _ wire: [UInt8]) {
    let bodyBytes = g.body.encoded
    let body: MessageBody
    do {
        body = try MessageBody(type: g.body.type, cbor: try CBOR.decode(bodyBytes))
    } catch {
        invariant(false, "canonical body \(bodyBytes.hexText) does not decode: \(error); wire \(wire.hexText)")
        return
    }
    invariant(body == g.body, "body \(g.body) re-encodes to \(bodyBytes.hexText), which decodes to \(body); wire \(wire.hexText)")
    invariant(body.encoded == bodyBytes, "body re-encoding is not a fixed point; wire \(wire.hexText)")

    let headerBytes = g.header.encoded
    let header = try? Header(cbor: try CBOR.decode(headerBytes))
    invariant(header == g.header, "header \(g.header) re-encodes to \(headerBytes.hexText), which decodes to \(String(describing: header))")
}

func isPingOrPong(_ body: MessageBody) -> Bool {
    switch body {
    case .ping, .pong: return true
    default: return false
    }
}

/// 3b. The signature over the items as received is what `.current` checks first.
func checkResignedAsReceived(_ g: Packet, _ wire: [UInt8]) {
    guard let raw = Packet.rawItems(of: wire) else { return }  // a tagged outer item: canonical check only
    let header = wire[raw.header], body = wire[raw.body]
    var pre = ProtocolConstants.messageSignPrefix
    pre += header
    pre += body
    let sig = fuzzKey.sign(pre)
    var w = CBORWriter(capacity: wire.count + 128)
    w.mapHeader(4)
    w.uint(1); w.raw(header)
    w.uint(2); w.raw(body)
    w.uint(3); w.bytes(fuzzKey.publicKey)
    w.uint(4); w.bytes(sig)
    let resigned = w.bytes
    let result = decodeResult(resigned, .current)
    if isPingOrPong(g.body) {
        invariant(result == .failure(.addressMismatch),
                  "re-signed PING/PONG with a foreign address gave \(result); wire \(wire.hexText)")
        return
    }
    guard case .success(let p) = result else {
        invariant(false, "re-signed as received, decode fails: \(result); wire \(wire.hexText), re-signed \(resigned.hexText)")
        return
    }
    invariant(p.header == g.header && p.body == g.body && p.senderPublicKey == fuzzKey.publicKey && p.signature == sig,
              "re-signed as received, decode gives \(p), expected \(g); wire \(wire.hexText)")
}

/// 3c. A canonical datagram of the same message, signed by the fixed key.
func checkResignedCanonically(_ g: Packet, _ wire: [UInt8]) {
    var body = g.body
    switch body {
    case .ping(var b): b.address = fuzzKey.address; body = .ping(b)
    case .pong(var b): b.address = fuzzKey.address; body = .pong(b)
    default: break
    }
    let headerBytes = g.header.encoded, bodyBytes = body.encoded
    let sig = fuzzKey.sign(ProtocolConstants.messageSignPrefix + headerBytes + bodyBytes)
    var w = CBORWriter(capacity: bodyBytes.count + 160)
    w.mapHeader(4)
    w.uint(1); w.raw(headerBytes)
    w.uint(2); w.raw(bodyBytes)
    w.uint(3); w.bytes(fuzzKey.publicKey)
    w.uint(4); w.bytes(sig)
    let canonical = w.bytes
    let expected = Packet(header: g.header, body: body, senderPublicKey: fuzzKey.publicKey, signature: sig)

    invariant(Packet.parseCanonical(canonical)?.0 == expected,
              "fast path refuses or misreads a canonical datagram \(canonical.hexText) (from wire \(wire.hexText))")
    for schema in [WireSchema.current, .v029] {
        let result = decodeResult(canonical, schema)
        invariant(result == .success(expected),
                  "canonical re-signed datagram under \(schema): \(result); datagram \(canonical.hexText), wire \(wire.hexText)")
    }
    let v017 = decodeResult(canonical, .v017)
    if body.type.isV024 {
        invariant(v017 == .failure(.unknownMessageType(body.type.rawValue)), "v0.1.7 receiver took a v0.2.4 type: \(v017)")
    } else if body.v017Projection == body {
        invariant(v017 == .success(expected), "v0.1.7 receiver refuses a message it knows fully: \(v017); datagram \(canonical.hexText)")
    } else {
        invariant(v017 == .failure(.badSignature),
                  "v0.1.7 receiver dropping fields must fail the signature, got \(v017); datagram \(canonical.hexText)")
    }
}
