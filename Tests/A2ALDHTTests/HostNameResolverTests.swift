#if canImport(Glibc)
import Glibc
#endif
import A2ALProtocol
import Synchronization
import A2ALTestSupport
import Testing
@testable import A2ALDHT

/// "Blocking name resolution" (issue "Hostile peers and hostile clients"): lookups run on
/// threads of their own with a deadline, so a DNS server that never answers neither stalls
/// unrelated work on the cooperative pool nor holds the caller past the deadline
/// (docs/architecture.md, "Name resolution").
@Suite struct HostNameResolverTests {
    @Test(.timeLimit(.minutes(1))) func hungLookupsTimeOutAndLeaveTheCooperativePoolFree() async throws {
        let gate = Gate()
        defer { gate.release() }
        let resolver = HostNameResolver(lookup: gate.lookup, timeout: .milliseconds(800))
        let clock = ContinuousClock()
        let started = clock.now
        // More hung lookups than the machine has cores, as in the report (four on two cores).
        let lookups = (0..<6).map { i in
            Task { () -> (DHTError?, Duration) in
                do throws(DHTError) {
                    _ = try await AddressResolver.resolve("seed-\(i).example.test:4121", using: resolver)
                    return (nil, clock.now - started)
                } catch {
                    return (error, clock.now - started)
                }
            }
        }
        try await waitUntil { gate.entered.load(ordering: .relaxed) >= 6 }
        // Unrelated work that needs the cooperative pool: a few short sleeps and hops.
        let probeStart = clock.now
        for _ in 0..<5 {
            try await Task.sleep(for: .milliseconds(10))
            _ = await Task.detached { 1 + 1 }.value
        }
        let probe = clock.now - probeStart
        #expect(probe < .milliseconds(500), "cooperative work took \(probe) while lookups hung")
        for lookup in lookups {
            let (error, took) = await lookup.value
            guard case .resolutionTimedOut(let host, let after)? = error else {
                Issue.record("expected a timeout, got \(String(describing: error))")
                continue
            }
            #expect(host.hasPrefix("seed-") && after == .milliseconds(800))
            #expect(took < .seconds(2), "timed out only after \(took)")
        }
        #expect(HostNameResolver.workers.load.running <= HostNameResolver.maxThreads)
    }

    @Test func theCallersLimitShortensTheDeadlineAndAnswersComeThrough() async throws {
        let gate = Gate()
        defer { gate.release() }
        let hung = HostNameResolver(lookup: gate.lookup, timeout: .seconds(30))
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: DHTError.resolutionTimedOut(host: "slow.test", after: .milliseconds(200))) {
            _ = try await AddressResolver.resolve("slow.test:1", using: hung, within: .milliseconds(200))
        }
        #expect(clock.now - start < .seconds(2))

        let answering = HostNameResolver(lookup: { _ in .success([IPAddress(ipv4: 0x0a00_0001)]) })
        let found = try await AddressResolver.resolve("seed.test:4121", using: answering)
        #expect(found == [.udp(WireEndpoint(ip: IPAddress(ipv4: 0x0a00_0001), port: 4121))])
        // Literals never reach the lookup.
        let literal = try await AddressResolver.resolve("10.0.0.2:7", using: hung)
        #expect(literal == [.udp(WireEndpoint(ip: IPAddress(ipv4: 0x0a00_0002), port: 7))])
        let failing = HostNameResolver(lookup: { host in .failure(.resolution("\(host): no such host")) })
        await #expect(throws: DHTError.resolution("nx.test: no such host")) {
            _ = try await AddressResolver.resolve("nx.test:1", using: failing)
        }
    }

    @Test func cancellingTheCallerEndsItsWait() async throws {
        let gate = Gate()
        defer { gate.release() }
        let hung = HostNameResolver(lookup: gate.lookup, timeout: .seconds(30))
        let task = Task { () -> DHTError? in
            do throws(DHTError) {
                _ = try await hung.resolve("stuck.test")
                return nil
            } catch {
                return error
            }
        }
        try await waitUntil { gate.entered.load(ordering: .relaxed) == 1 }
        task.cancel()
        #expect(await task.value == .cancelled)
    }
}

/// A lookup that blocks its thread, as getaddrinfo does while DNS does not answer, until
/// the gate opens (so the test leaves no thread behind).
private final class Gate: Sendable {
    private let open = Atomic<Bool>(false)
    let entered = Atomic<Int>(0)
    func release() { open.store(true, ordering: .relaxed) }
    var lookup: HostNameResolver.Lookup {
        { [self] _ in
            entered.add(1, ordering: .relaxed)
            while !open.load(ordering: .relaxed) { usleep(2_000) }
            return .failure(.resolution("released"))
        }
    }
}
