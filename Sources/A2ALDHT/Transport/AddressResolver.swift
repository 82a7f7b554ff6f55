#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import A2ALProtocol

/// Turns `host:port` text (IPv4, `[IPv6]:port`, or a host name) into UDP peer addresses.
public enum AddressResolver {
    /// Splits "host:port" / "[v6]:port"; nil when malformed.
    public static func split(_ text: String) -> (host: String, port: UInt16)? {
        let t = text.trimmingCharacters()
        if t.hasPrefix("[") {
            guard let close = t.firstIndex(of: "]") else { return nil }
            let host = String(t[t.index(after: t.startIndex)..<close])
            let rest = t[t.index(after: close)...]
            guard rest.hasPrefix(":"), let port = UInt16(rest.dropFirst()), port != 0 else { return nil }
            return (host, port)
        }
        guard let colon = t.lastIndex(of: ":"), t.firstIndex(of: ":") == colon else { return nil }
        guard let port = UInt16(t[t.index(after: colon)...]), port != 0 else { return nil }
        let host = String(t[..<colon])
        return host.isEmpty ? nil : (host, port)
    }

    /// Resolves `host:port`. Literal addresses need no lookup; names go through `resolver`,
    /// which runs the blocking lookup off the cooperative pool and gives up after its timeout
    /// (or `within`, if shorter).
    public static func resolve(_ text: String, using resolver: HostNameResolver = .system,
                               within limit: Duration? = nil) async throws(DHTError) -> [PeerAddress] {
        guard let (host, port) = split(text) else { throw .resolution("\(text): expected host:port") }
        if let ip = IPAddress(text: host) { return [.udp(WireEndpoint(ip: ip.normalized, port: port))] }
        let ips = try await resolver.resolve(host, within: limit)
        guard !ips.isEmpty else { throw .resolution("\(host): no addresses") }
        return ips.map { .udp(WireEndpoint(ip: $0, port: port)) }
    }

    /// Resolves every `host:port` at once (one hung name does not hold up the others); the
    /// outcomes come back in the order of `texts`.
    public static func resolveAll(_ texts: [String], using resolver: HostNameResolver = .system,
                                  within limit: Duration? = nil) async -> [Result<[PeerAddress], DHTError>] {
        await withTaskGroup(of: (Int, Result<[PeerAddress], DHTError>).self) { group in
            for (i, text) in texts.enumerated() {
                group.addTask {
                    do throws(DHTError) {
                        return (i, .success(try await resolve(text, using: resolver, within: limit)))
                    } catch {
                        return (i, .failure(error))
                    }
                }
            }
            var out = [Result<[PeerAddress], DHTError>](repeating: .failure(.cancelled), count: texts.count)
            for await (i, r) in group { out[i] = r }
            return out
        }
    }

    /// getaddrinfo: blocks its thread, so only `HostNameResolver` calls it, on its own threads.
    @Sendable public static func systemLookup(_ host: String) -> Result<[IPAddress], DHTError> {
        lookup(host)
    }

    private static func lookup(_ host: String) -> Result<[IPAddress], DHTError> {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, nil, &hints, &list)
        guard rc == 0 else {
            return .failure(.resolution("\(host): \(String(cString: gai_strerror(rc)))"))
        }
        defer { freeaddrinfo(list) }
        var out: [IPAddress] = []
        var cursor = list
        while let ai = cursor {
            if let sa = ai.pointee.ai_addr {
                if ai.pointee.ai_family == AF_INET {
                    sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                        var a = sin.pointee.sin_addr
                        if let ip = IPAddress(bytes: withUnsafeBytes(of: &a) { Array($0) }) { out.append(ip) }
                    }
                } else if ai.pointee.ai_family == AF_INET6 {
                    sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                        var a = sin6.pointee.sin6_addr
                        if let ip = IPAddress(bytes: withUnsafeBytes(of: &a) { Array($0) }) { out.append(ip.normalized) }
                    }
                }
            }
            cursor = ai.pointee.ai_next
        }
        var seen = Set<IPAddress>()
        return .success(out.filter { seen.insert($0).inserted })
    }
}

extension String {
    /// Leading/trailing white space removed (no Foundation).
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
