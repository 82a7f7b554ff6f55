import A2ALUDP

/// Binds `count` transports on `host`, runs `body` on them, and awaits every close — also when
/// `body` throws — so no socket or event loop outlives its test.
func withTransports<T>(_ count: Int, host: String = "127.0.0.1",
                       _ body: ([UDPTransport]) async throws -> T) async throws -> T {
    var transports: [UDPTransport] = []
    do {
        for _ in 0..<count { transports.append(try await UDPTransport.bind(host: host)) }
        let result = try await body(transports)
        for t in transports { await t.close() }
        return result
    } catch {
        for t in transports { await t.close() }
        throw error
    }
}
