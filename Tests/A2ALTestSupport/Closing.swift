/// Runs `body` on `resource` and awaits `close(resource)` — also when `body` throws — so nothing
/// a test starts (nodes, daemons, sockets, namespaces) outlives it. Every `with…` helper of the
/// test targets ends through here.
package func withClosing<R, T>(_ resource: R, close: (R) async -> Void,
                               _ body: (R) async throws -> T) async throws -> T {
    let result: T
    do {
        result = try await body(resource)
    } catch {
        await close(resource)
        throw error
    }
    await close(resource)
    return result
}
