import A2ALDHT

/// Something a test starts and must see shut down before it ends: in-memory nodes and the
/// daemon parts built on them.
protocol ClusterUnderTest: Sendable {
    func start() async throws
    func close() async
}

extension ClusterUnderTest {
    /// Most clusters are started by whatever built them.
    func start() async throws {}
}

/// Starts `cluster`, runs `body` on it, and awaits its close — also when `body` throws — so no
/// test leaves nodes and their workers running into the next one.
func withCluster<C: ClusterUnderTest, T>(_ cluster: C, _ body: (C) async throws -> T) async throws -> T {
    do {
        try await cluster.start()
        let result = try await body(cluster)
        await cluster.close()
        return result
    } catch {
        await cluster.close()
        throw error
    }
}

extension MethodCluster: ClusterUnderTest {}
extension PubNetwork: ClusterUnderTest {}

extension PubDaemon: ClusterUnderTest {
    func close() async { await node.close() }
}
