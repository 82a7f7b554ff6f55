#if canImport(Glibc)
import Glibc
#endif
import A2ALCore
import A2ALDHT
import A2ALDaemon
import A2ALProtocol
import A2ALRPC
import Synchronization
import Testing

/// The socket's state and datagram accounting in `node.info` and `node.stats`, and host-name
/// bootstraps that hang (issue "Hostile peers and hostile clients"; docs/jsonrpc.md).
@Suite struct NodeTransportMethodsTests {
    @Test func infoAndStatsReportTheSocket() async throws {
        try await withCluster(MethodCluster(size: 2)) { c in
            _ = try await c.call("node.ping", ["addr": .string(c.addr(1))])
            let info = try await c.call("node.info")
            #expect(info["transport_state"] == "up" && info["socket_rebinds"] == 0)
            let transport = try #require(try await c.call("node.stats")["transport"]?.objectValue)
            #expect(transport["state"] == "up" && transport["socket_rebinds"] == 0 && transport["last_error"] == .null)
            for key in ["datagrams_received", "dropped_oversize", "dropped_unreadable", "dropped_queue_full", "receive_errors", "datagrams_sent",
                        "send_errors", "rx_packets_verified", "dropped_malformed", "dropped_rate_limited", "dropped_unknown_type"] {
                #expect(transport[key]?.intValue != nil, "\(key) missing: \(transport)")
            }
            // The in-memory transport has no kernel to drop anything, and says so.
            #expect(transport["dropped_kernel"] == .null && transport["last_send_error"] == .null)
        }
    }

    @Test(.timeLimit(.minutes(1))) func hungHostNameBootstrapsTimeOutAndDelayNothingElse() async throws {
        try await withCluster(MethodCluster(size: 2)) { c in
            let dns = HungDNS()
            defer { dns.release() }
            var router = RPCRouter()
            let status = DaemonStatus(version: DaemonVersion.string, startedAt: SystemClock().unixSeconds(),
                                      socketPath: { "/tmp/a2al-test.sock" }, dataDir: "/tmp/a2al-test-data",
                                      listenAddrs: { [] }, agentCount: { 0 }, rpcConnections: { 1 }, rpcSubscriptions: { 0 })
            NodeMethods.register(into: &router, node: c.nodes[0], observed: c.observed, status: status,
                                 resolver: dns.resolver(timeout: .seconds(1)))
            let methods = router
            let clock = ContinuousClock()
            let started = clock.now
            let bootstraps = (0..<4).map { i in
                Task { () -> (RPCError?, Duration) in
                    do {
                        _ = try await MethodCluster.call(methods, "node.bootstrap", ["peers": .array([.string("seed-\(i).a2al.test:4121")])])
                        return (nil, clock.now - started)
                    } catch let e as RPCError {
                        return (e, clock.now - started)
                    } catch {
                        return (nil, clock.now - started)
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(100))
            let pingStart = clock.now
            let ping = try await MethodCluster.call(methods, "node.ping", ["addr": .string(c.addr(1)), "timeout_ms": 2000])
            let pingTook = clock.now - pingStart
            #expect(ping["node"]?["node_id"]?.stringValue == c.nodes[1].nodeID.description)
            #expect(pingTook < .seconds(1), "node.ping took \(pingTook) while four host names hung")
            for b in bootstraps {
                let (error, took) = await b.value
                expectAppError(error, .timeout)
                #expect(error?.data?["timeout_ms"] == 1000)
                #expect(took < .seconds(3), "node.bootstrap took \(took)")
            }
        }
    }
}

/// A resolver whose lookups block their thread until released, like getaddrinfo waiting on
/// a DNS server that never answers.
private final class HungDNS: Sendable {
    private let open = Atomic<Bool>(false)
    func release() { open.store(true, ordering: .relaxed) }
    func resolver(timeout: Duration) -> HostNameResolver {
        HostNameResolver(lookup: { [self] _ in
            while !open.load(ordering: .relaxed) { usleep(2_000) }
            return .failure(.resolution("released"))
        }, timeout: timeout)
    }
}
