/// Something that can sign outbound messages with a node's Ed25519 identity.
public protocol MessageSigner: Sendable {
    var publicKey: [UInt8] { get }
    func sign(_ message: [UInt8]) throws -> [UInt8]
}

extension Ed25519.KeyPair: MessageSigner {}

/// A verified inbound message (wire.md §3.2–3.5).
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
        let header = Header(msgType: body.type, txID: txID).encoded
        let bodyBytes = body.encoded
        var pre = CBORWriter(capacity: 9 + header.count + bodyBytes.count)
        pre.raw(ProtocolConstants.messageSignPrefix)
        pre.raw(header)
        pre.raw(bodyBytes)
        let preimage = pre.bytes
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

    /// Decodes and verifies a datagram in the reference's order: outer map, tx_id length, key and
    /// signature lengths, typed body, signature over the canonical re-encoding, PING/PONG binding.
    public static func decode(_ datagram: [UInt8]) throws(PacketError) -> Packet {
        let parsed: Packet
        if let fast = parseCanonical(datagram) {
            parsed = fast
        } else {
            parsed = try parseGeneral(datagram)
        }
        // Re-canonicalise before verifying (wire.md §2.3): unknown keys and non-canonical forms
        // are dropped by decoding, so only what the schema holds is covered.
        var w = CBORWriter(capacity: datagram.count)
        w.raw(ProtocolConstants.messageSignPrefix)
        parsed.header.encode(to: &w)
        parsed.body.encode(to: &w)
        guard Ed25519.verify(signature: parsed.signature, message: w.bytes, publicKey: parsed.senderPublicKey) else {
            throw .badSignature
        }
        switch parsed.body {
        case .ping(let p) where p.address != parsed.senderAddress: throw .addressMismatch
        case .pong(let p) where p.address != parsed.senderAddress: throw .addressMismatch
        default: break
        }
        return parsed
    }

    /// The fast path: the canonical layout read in place (see FastPathDecoding.swift); nil for
    /// any other layout, never an error.
    static func parseCanonical(_ datagram: [UInt8]) -> Packet? {
        var c = CBORCursor(datagram)
        guard c.mapCount() == 4, c.key(1), let header = Header(fast: &c),
              let type = MessageType(rawValue: header.msgType),
              c.key(2), let body = MessageBody(fast: &c, type: type),
              c.key(3), let pub = c.ownedBytes(count: Ed25519.publicKeyCount),
              c.key(4), let sig = c.ownedBytes(count: Ed25519.signatureCount),
              c.isAtEnd else { return nil }
        return Packet(header: header, body: body, senderPublicKey: pub, signature: sig)
    }

    /// The general path: the reference decoder's full leniency, with typed errors (no signature
    /// check yet).
    static func parseGeneral(_ datagram: [UInt8]) throws(PacketError) -> Packet {
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
        guard let type = MessageType(rawValue: header.msgType) else { throw .unknownMessageType(header.msgType) }
        do {
            let body = try MessageBody(type: type, cbor: bodyItem)
            return Packet(header: header, body: body, senderPublicKey: pub, signature: sig)
        } catch {
            throw .cbor(error)
        }
    }
}
