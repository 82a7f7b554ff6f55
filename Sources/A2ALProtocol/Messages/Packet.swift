import A2ALCore

/// Something that can sign outbound messages with a node's Ed25519 identity.
public protocol MessageSigner: Sendable {
    var publicKey: [UInt8] { get }
    func sign(_ message: [UInt8]) throws -> [UInt8]
}

extension Ed25519.KeyPair: MessageSigner {}

/// Which generation's receive rules `Packet.decode` applies (docs/protocol.md, "Message
/// signatures").
public enum WireSchema: Sendable, Hashable {
    /// Ours: the v0.2.9 schema, signature over the bytes as received, else over the re-encoding.
    case current
    /// A v0.2.9 reference receiver: re-encode with the v0.2.9 schema and verify only that.
    case v029
    /// A v0.1.7 reference receiver: v0.1.7 types only, re-encoded with the v0.1.7 schema.
    case v017
}

/// A verified inbound message (docs/protocol.md §3.2–3.5).
public struct Packet: Hashable, Sendable {
    public var header: Header
    public var body: MessageBody
    public var senderPublicKey: [UInt8]
    public var signature: [UInt8]

    /// 0xA0 || SHA-256(sender_pubkey)[0:20].
    public var senderAddress: Address { Address.ed25519(publicKey: senderPublicKey) }
    public var type: MessageType { body.type }
    public var txID: [UInt8] { header.txID }

    /// Signs and encodes a message. Oversize datagrams are an error, never truncated.
    public static func encode(body: MessageBody, txID: [UInt8], signer: some MessageSigner) throws(PacketError) -> [UInt8] {
        guard txID.count == ProtocolConstants.txIDLength else { throw .badTxIDLength(txID.count) }
        // Header and body are encoded once, straight into the signed preimage, and the envelope
        // copies them from there: one buffer fewer per message than encoding each on its own.
        let prefix = ProtocolConstants.messageSignPrefix
        var pre = CBORWriter(capacity: prefix.count + 32 + ProtocolConstants.maxDatagramSize)
        pre.raw(prefix)
        Header(msgType: body.type, txID: txID).encode(to: &pre)
        let bodyStart = pre.bytes.count
        body.encode(to: &pre)
        let preimage = pre.bytes
        let header = preimage[prefix.count..<bodyStart]
        let bodyBytes = preimage[bodyStart...]
        let signature: [UInt8]
        do {
            signature = try signer.sign(preimage)
        } catch {
            throw .signingFailed(String(describing: error))
        }
        guard signature.count == Ed25519.signatureCount else { throw .badSignatureLength(signature.count) }
        var w = CBORWriter(capacity: ProtocolConstants.envelopeOverhead + bodyBytes.count)
        w.mapHeader(4)
        w.uint(1); w.raw(header)
        w.uint(2); w.raw(bodyBytes)
        w.uint(3); w.bytes(signer.publicKey)
        w.uint(4); w.bytes(signature)
        guard w.bytes.count <= ProtocolConstants.maxDatagramSize else { throw .oversize(w.bytes.count) }
        return w.bytes
    }

    /// Decodes and verifies a datagram (docs/protocol.md, "Message signatures"): outer map, tx_id
    /// length, key and signature lengths, typed body (unknown keys ignored, the first of
    /// duplicated keys wins), then the signature — over the header and body items exactly as
    /// received, falling back to their canonical re-encoding — and the PING/PONG binding.
    ///
    /// Verifying the received bytes first is what lets fields we do not know yet (a newer
    /// generation's) through; the fallback keeps accepting what the reference accepts from
    /// senders that signed the canonical form but sent another layout.
    ///
    /// `schema` other than `.current` makes the decoder behave as a reference receiver of that
    /// generation does (re-encode with its schema, verify only that), for golden tests and for
    /// simulating such peers.
    public static func decode(_ datagram: [UInt8], schema: WireSchema = .current) throws(PacketError) -> Packet {
        if schema != .current { return try decodeAsReference(datagram, schema: schema) }
        let parsed: Packet
        let raw: RawItems?
        if let (fast, items) = parseCanonical(datagram) {
            parsed = fast
            raw = items
        } else {
            parsed = try parseGeneral(datagram)
            raw = rawItems(of: datagram)
        }
        guard parsed.verifiesAsReceived(datagram, raw) || parsed.verifiesCanonically(unlessEqualTo: datagram, raw) else {
            throw .badSignature
        }
        switch parsed.body {
        case .ping(let p) where p.address != parsed.senderAddress: throw .addressMismatch
        case .pong(let p) where p.address != parsed.senderAddress: throw .addressMismatch
        default: break
        }
        return parsed
    }

    /// What a reference receiver of `schema` accepts: its own types only, and a signature over
    /// the re-encoding of the fields its schema knows.
    private static func decodeAsReference(_ datagram: [UInt8], schema: WireSchema) throws(PacketError) -> Packet {
        // A v0.1.7 receiver does not know the v0.2.4 types: it refuses them before their body.
        let parsed = try parseGeneral(datagram, knows: { schema != .v017 || !$0.isV024 })
        let seen = schema == .v017 ? Packet(header: parsed.header, body: parsed.body.v017Projection,
                                            senderPublicKey: parsed.senderPublicKey, signature: parsed.signature) : parsed
        guard seen.verifiesCanonically() else { throw .badSignature }
        switch seen.body {
        case .ping(let p) where p.address != seen.senderAddress: throw .addressMismatch
        case .pong(let p) where p.address != seen.senderAddress: throw .addressMismatch
        default: break
        }
        return seen
    }

    /// Where the header (outer key 1) and body (outer key 2) items lie in a datagram.
    struct RawItems {
        var header: Range<Int>
        var body: Range<Int>
    }

    private func verifiesAsReceived(_ datagram: [UInt8], _ raw: RawItems?) -> Bool {
        guard let raw else { return false }
        var pre = ProtocolConstants.messageSignPrefix
        pre.reserveCapacity(pre.count + raw.header.count + raw.body.count)
        pre.append(contentsOf: datagram[raw.header])
        pre.append(contentsOf: datagram[raw.body])
        return Ed25519.verify(signature: signature, message: pre, publicKey: senderPublicKey)
    }

    private func verifiesCanonically() -> Bool {
        Ed25519.verify(signature: signature, message: canonicalPreimage, publicKey: senderPublicKey)
    }

    /// The fallback check, skipped when the re-encoding is the received bytes themselves (every
    /// canonical datagram): a bad signature then costs one verification, not two.
    private func verifiesCanonically(unlessEqualTo datagram: [UInt8], _ raw: RawItems?) -> Bool {
        let preimage = canonicalPreimage
        if let raw {
            let prefix = ProtocolConstants.messageSignPrefix.count
            if preimage.count == prefix + raw.header.count + raw.body.count,
               preimage[prefix..<(prefix + raw.header.count)].elementsEqual(datagram[raw.header]),
               preimage[(prefix + raw.header.count)...].elementsEqual(datagram[raw.body]) {
                return false
            }
        }
        return Ed25519.verify(signature: signature, message: preimage, publicKey: senderPublicKey)
    }

    private var canonicalPreimage: [UInt8] {
        var w = CBORWriter(capacity: 256)
        w.raw(ProtocolConstants.messageSignPrefix)
        header.encode(to: &w)
        body.encode(to: &w)
        return w.bytes
    }

    /// The raw header and body items of a datagram the general decoder accepted: the first
    /// entries naming fields 1 and 2, as the decoder reads them. Nil when the outer item is
    /// not a plain map (a tagged one, say); only the canonical check applies then.
    static func rawItems(of datagram: [UInt8]) -> RawItems? {
        var reader = CBORReader(bytes: datagram)
        guard let entries = try? reader.readMapValueRanges() else { return nil }
        var header: Range<Int>?, body: Range<Int>?
        for e in entries {
            switch CBORFields.fieldNumber(of: e.key) {
            case 1? where header == nil: header = e.value
            case 2? where body == nil: body = e.value
            default: break
            }
        }
        guard let header, let body else { return nil }
        return RawItems(header: header, body: body)
    }

    /// The fast path: the canonical layout read in place (see FastPathDecoding.swift); nil for
    /// any other layout, never an error.
    static func parseCanonical(_ datagram: [UInt8]) -> (Packet, RawItems)? {
        var c = CBORCursor(datagram)
        guard c.mapCount() == 4, c.key(1) else { return nil }
        let headerStart = c.position
        guard let header = Header(fast: &c), let type = MessageType(rawValue: header.msgType) else { return nil }
        let headerEnd = c.position
        guard c.key(2) else { return nil }
        let bodyStart = c.position
        guard let body = MessageBody(fast: &c, type: type) else { return nil }
        let bodyEnd = c.position
        guard c.key(3), let pub = c.ownedBytes(count: Ed25519.publicKeyCount),
              c.key(4), let sig = c.ownedBytes(count: Ed25519.signatureCount),
              c.isAtEnd else { return nil }
        return (Packet(header: header, body: body, senderPublicKey: pub, signature: sig),
                RawItems(header: headerStart..<headerEnd, body: bodyStart..<bodyEnd))
    }

    /// The general path: the reference decoder's full leniency, with typed errors (no signature
    /// check yet).
    static func parseGeneral(_ datagram: [UInt8], knows: (MessageType) -> Bool = { _ in true }) throws(PacketError) -> Packet {
        let header: Header
        let bodyItem: CBOR
        let pub: [UInt8], sig: [UInt8]
        do {
            let outer = try CBORFields(try CBOR.decode(datagram), context: "packet")
            header = try Header(cbor: outer.value(1) ?? .null)
            guard header.txID.count == ProtocolConstants.txIDLength else { throw PacketError.badTxIDLength(header.txID.count) }
            guard let b = outer.value(2) else { throw PacketError.missingBody }
            bodyItem = b
            pub = try outer.bytes(3) ?? []
            sig = try outer.bytes(4) ?? []
        } catch let e as CBORError {
            throw .cbor(e)
        } catch let e as PacketError {
            throw e
        } catch {
            throw .cbor(.invalidValue(field: "packet", reason: "\(error)"))
        }
        guard pub.count == Ed25519.publicKeyCount else { throw .badPublicKeyLength(pub.count) }
        guard sig.count == Ed25519.signatureCount else { throw .badSignatureLength(sig.count) }
        guard let type = MessageType(rawValue: header.msgType), knows(type) else { throw .unknownMessageType(header.msgType) }
        do {
            let body = try MessageBody(type: type, cbor: bodyItem)
            return Packet(header: header, body: body, senderPublicKey: pub, signature: sig)
        } catch {
            throw .cbor(error)
        }
    }
}
