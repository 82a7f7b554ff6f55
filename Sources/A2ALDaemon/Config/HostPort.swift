/// Checks "host:port" text as the daemon takes it for UDP listen, bootstrap peers and the debug
/// HTTP listener: a host name or IPv4 address, or an IPv6 address in brackets ("[::1]:4121"),
/// then a decimal port. Only the form is checked here; resolving is the network's job.
enum HostPort {
    /// Why `text` is not host:port, or nil when it is.
    static func problem(_ text: String, allowPortZero: Bool) -> String? {
        let host: Substring
        let port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return "missing \"]\" after the IPv6 address" }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return "missing \":port\" after \"]\"" }
            port = rest.dropFirst()
            guard !host.isEmpty else { return "empty IPv6 address in brackets" }
            guard host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." || $0 == "%" || isNameCharacter($0) }),
                  host.contains(":") else {
                return "\"\(host)\" in brackets is not an IPv6 address"
            }
        } else {
            guard let colon = text.lastIndex(of: ":") else { return "missing \":port\"" }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
            guard !host.isEmpty else { return "empty host" }
            if host.contains(":") { return "IPv6 addresses must be in brackets, as in \"[::1]:4121\"" }
            guard host.allSatisfy(isNameCharacter) else { return "host \"\(host)\" has a character not allowed in a host name or address" }
        }
        guard !port.isEmpty, port.count <= 5, port.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(port) else {
            return "port \"\(port)\" is not a number"
        }
        let lowest = allowPortZero ? 0 : 1
        guard (lowest...65535).contains(value) else { return "port \(value) is outside \(lowest)…65535" }
        return nil
    }

    /// Letters, digits, '.', '-' and '_': what host names and IPv4 addresses are made of.
    private static func isNameCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "." || c == "-" || c == "_")
    }
}
