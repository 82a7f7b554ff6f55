import A2ALTestSupport
import A2ALUDP

/// Binds `count` transports on `host`, runs `body` on them, and awaits every close — also when
/// `body` throws — so no socket or event loop outlives its test.
func withTransports<T>(_ count: Int, host: String = "127.0.0.1",
                       _ body: ([UDPTransport]) async throws -> T) async throws -> T {
    var transports: [UDPTransport] = []
    return try await withClosing((), close: { for t in transports { await t.close() } }) {
        for _ in 0..<count { transports.append(try await UDPTransport.bind(host: host)) }
        return try await body(transports)
    }
}
