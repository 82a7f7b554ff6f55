import A2ALCore

/// The human-readable text that Ethereum and Paralism masters sign (docs/protocol.md
/// §4.10.3–4.10.5).
public enum DelegationMessage {
    public enum Chain: Sendable {
        case ethereum, paralism

        var name: String { self == .ethereum ? "Ethereum" : "Paralism" }
    }

    /// The exact message text, `\n` line endings and a trailing newline.
    public static func text(chain: Chain, opPub: [UInt8], agent: Address, scope: UInt8, issuedAt: UInt64,
                            expiresAt: UInt64) -> String {
        "A2AL Delegation Authorization\n"
            + "Authorize this Ed25519 key to operate on behalf of your \(chain.name) address.\n"
            + "\n"
            + "op_key:\(opPub.hex)\n"
            + "agent:\(agent.text)\n"
            + "scope:\(scope)\n"
            + "issued_at:\(issuedAt)\n"
            + "expires_at:\(expiresAt)\n"
    }

    /// The fields a message states.
    public struct Fields: Equatable, Sendable {
        public var opKey: [UInt8]
        public var agent: Address
        public var scope: UInt8
        public var issuedAt: UInt64
        public var expiresAt: UInt64
    }

    /// Parses the `key:value` lines; later duplicates override earlier ones; all five are required.
    public static func parse(_ message: String) throws(DelegationError) -> Fields {
        var opKey: [UInt8]?, agent: Address?, scope: UInt8?, issued: UInt64?, expires: UInt64?
        for rawLine in message.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = trim(Substring(rawLine))
            guard !line.isEmpty, let colon = line.firstIndex(of: ":") else { continue }
            let key = trim(line[..<colon])
            let value = String(trim(line[line.index(after: colon)...]))
            switch key {
            case "op_key":
                var hex = value
                if hex.hasPrefix("0x") || hex.hasPrefix("0X") { hex.removeFirst(2) }
                guard let b = [UInt8](hex: hex) else { throw .messageMismatch("op_key is not hex") }
                opKey = b
            case "agent":
                do {
                    agent = try Address(text: value)
                } catch {
                    throw .messageMismatch("agent is not an address: \(error)")
                }
            case "scope":
                guard let v = decimal(value), v <= UInt64(UInt8.max) else { throw .messageMismatch("scope is not a uint8") }
                scope = UInt8(v)
            case "issued_at":
                guard let v = decimal(value) else { throw .messageMismatch("issued_at is not a number") }
                issued = v
            case "expires_at":
                guard let v = decimal(value) else { throw .messageMismatch("expires_at is not a number") }
                expires = v
            default:
                continue
            }
        }
        guard let opKey, let agent, let scope, let issued, let expires else {
            throw .messageMismatch("message lacks one of op_key, agent, scope, issued_at, expires_at")
        }
        return Fields(opKey: opKey, agent: agent, scope: scope, issuedAt: issued, expiresAt: expires)
    }

    /// Strict unsigned decimal (Go strconv.ParseUint base 10: digits only, no sign).
    static func decimal(_ s: String) -> UInt64? {
        guard !s.isEmpty, s.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return UInt64(s)
    }

    /// Trims Unicode white space at both ends (Go strings.TrimSpace).
    static func trim(_ s: Substring) -> Substring {
        var t = s
        while let c = t.first, c.isWhitespace { t.removeFirst() }
        while let c = t.last, c.isWhitespace { t.removeLast() }
        return t
    }
}
