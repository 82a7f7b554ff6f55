import A2ALCore
import A2ALDHT
import A2ALProtocol
import A2ALRPC

/// Typed accessors for the DHT-specific parameter shapes of docs/jsonrpc.md. Each one fails
/// with -32602 naming the parameter and the fault, except a record that decodes but does not
/// verify, which is `invalid_record` (the client sent a well-formed but unacceptable record).
extension RPCParams {
    /// The text forms `Address(text:)` accepts, for error messages.
    package static let acceptedAddressForms =
        "native checksummed hex (42 hex digits), Ethereum 0x + 40 hex digits, Paralism Base58 (1…) or Bech32 (bc1…/pr1…)"

    /// Largest record accepted from a client (a record must fit a 1200-byte datagram to travel,
    /// so this only bounds what we decode).
    package static let maxRecordBytes = 64 * 1024

    /// Lowercase or uppercase hex of exactly `byteCount` bytes (nil: any even length).
    package func hex(_ key: String, byteCount: Int?) throws(RPCError) -> [UInt8] {
        guard let v = try optionalHex(key, byteCount: byteCount) else { throw invalid(key, "required hex string is missing") }
        return v
    }

    package func optionalHex(_ key: String, byteCount: Int?) throws(RPCError) -> [UInt8]? {
        guard let s = try optionalString(key) else { return nil }
        guard let bytes = Hex.decode(s) else { throw invalid(key, "not a hex string") }
        if let byteCount, bytes.count != byteCount {
            throw invalid(key, "expected \(byteCount) bytes (\(byteCount * 2) hex digits), got \(bytes.count)")
        }
        return bytes
    }

    /// A 32-byte node ID or DHT key as 64 hex digits.
    package func nodeID(_ key: String) throws(RPCError) -> NodeID {
        guard let id = try optionalNodeID(key) else { throw invalid(key, "required node ID (64 hex digits) is missing") }
        return id
    }

    package func optionalNodeID(_ key: String) throws(RPCError) -> NodeID? {
        guard let bytes = try optionalHex(key, byteCount: NodeID.byteCount) else { return nil }
        guard let id = NodeID(bytes: bytes) else { throw invalid(key, "not a 32-byte node ID") }
        return id
    }

    /// An agent address in any accepted text form.
    package func address(_ key: String) throws(RPCError) -> Address {
        guard let a = try optionalAddress(key) else {
            throw invalid(key, "required agent address is missing; accepted forms: \(Self.acceptedAddressForms)")
        }
        return a
    }

    package func optionalAddress(_ key: String) throws(RPCError) -> Address? {
        guard let text = try optionalString(key) else { return nil }
        do {
            return try Address(text: text)
        } catch {
            throw invalid(key, "not an agent address (\(Self.describe(error))); accepted forms: \(Self.acceptedAddressForms)")
        }
    }

    /// A peer's UDP address, "ip:port" or "[v6]:port". Host names are refused rather than
    /// resolved: single-peer RPCs must not block on DNS, and the caller should say which IP.
    package func peerAddress(_ key: String) throws(RPCError) -> PeerAddress {
        .udp(try endpoint(key))
    }

    /// An "ip:port" / "[v6]:port" endpoint (also `claimed_addr`); port 1…65535.
    package func endpoint(_ key: String) throws(RPCError) -> WireEndpoint {
        guard let text = try optionalString(key) else { throw invalid(key, "required \"ip:port\" is missing") }
        do {
            return try Self.parseEndpoint(text)
        } catch {
            throw invalid(key, error.why)
        }
    }

    /// A record type code 0…255; `default` nil makes the parameter required.
    package func recordType(_ key: String, default value: UInt8?) throws(RPCError) -> UInt8 {
        if let value { return UInt8(try int(key, in: 0...255, default: Int64(value))) }
        return UInt8(try int(key, in: 0...255))
    }

    /// A base64 record (canonical CBOR, as `raw` shows it), decoded and verified (signature,
    /// payload and time window at `now`). Authority is the store's business, not checked here.
    package func signedRecord(_ key: String, now: UInt64 = SystemClock().unixSeconds()) throws(RPCError) -> SignedRecord {
        let bytes = try base64(key, maxBytes: Self.maxRecordBytes)
        let record: SignedRecord
        do {
            record = try SignedRecord(encoded: bytes)
        } catch {
            throw RPCError.app(.invalidRecord, "\(name(of: key)): not a signed record: \(error)",
                               ["field": .string(name(of: key)), "reason": .string(error.description)])
        }
        do {
            try record.verify(now: now)
        } catch {
            throw RPCError.app(.invalidRecord, "\(name(of: key)): \(error)",
                               ["field": .string(name(of: key)), "reason": .string(error.description)])
        }
        return record
    }

    /// A record lifetime in seconds, 1…86400 (a day, the longest the reference signs).
    package func ttl(_ key: String, default value: UInt32) throws(RPCError) -> UInt32 {
        UInt32(try int(key, in: 1...86_400, default: Int64(value)))
    }

    // MARK: Helpers

    /// The parameter's full path, as error data names it.
    func name(of key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Why a text is not an "ip:port".
    struct EndpointTextError: Error { let why: String }

    /// Parses "ip:port" / "[v6]:port" (IPv4-mapped IPv6 is kept as IPv4).
    static func parseEndpoint(_ text: String) throws(EndpointTextError) -> WireEndpoint {
        guard let (host, port) = AddressResolver.split(text) else {
            throw EndpointTextError(why: "\"\(text)\" is not \"ip:port\" or \"[ipv6]:port\" with a port 1-65535")
        }
        guard let ip = IPAddress(text: host) else {
            throw EndpointTextError(why: "\"\(host)\" is not an IP address; host names are not resolved here, give the peer's IP")
        }
        return WireEndpoint(ip: ip.normalized, port: port)
    }

    static func describe(_ e: AddressTextError) -> String {
        switch e {
        case .empty: return "empty"
        case .unrecognizedForm: return "no address form has this length and prefix"
        case .badLength(let f): return "wrong length for the \(f.rawValue) form"
        case .badCharacter(let f): return "invalid character for the \(f.rawValue) form"
        case .mixedCase: return "Bech32 mixes upper and lower case"
        case .badChecksum(let f): return "bad \(f.rawValue) checksum"
        case .versionOutOfRange(let v): return "version byte 0x\(String(v, radix: 16)) is outside 0xa0-0xaf"
        case .badBech32HRP(let h): return "Bech32 prefix \"\(h)\" is not bc or pr"
        case .badPayload(let f): return "the \(f.rawValue) payload is not an A2AL address"
        }
    }
}

extension RPCParams {
    /// A boolean that must be given.
    package func requiredBool(_ key: String) throws(RPCError) -> Bool {
        guard let v = raw(key) else { throw invalid(key, "required boolean is missing") }
        guard case .bool(let b) = v else { throw invalid(key, "expected boolean, got \(v.typeName)") }
        return b
    }

    /// True when `key` is present in the object, even as JSON null (for "give null to clear").
    package func isPresent(_ key: String) -> Bool { object[key] != nil }
}
