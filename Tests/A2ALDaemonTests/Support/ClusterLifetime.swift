import A2ALDHT
import A2ALTestSupport

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
    try await withClosing(cluster, close: { await $0.close() }) { cluster in
        try await cluster.start()
        return try await body(cluster)
    }
}

extension MethodCluster: ClusterUnderTest {}
extension PubNetwork: ClusterUnderTest {}

extension PubDaemon: ClusterUnderTest {
    func close() async { await node.close() }
}
