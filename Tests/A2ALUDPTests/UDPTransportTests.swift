#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import A2ALDHT
import A2ALProtocol
import NIOCore
import NIOPosix
import Synchronization
import A2ALTestSupport
import Testing
@testable import A2ALUDP

/// Collects what a transport receives.
private final class Inbox: Sendable {
    private let items = Mutex<[(datagram: [UInt8], from: PeerAddress)]>([])

    var handler: @Sendable ([UInt8], PeerAddress) -> Void {
        { [self] datagram, from in items.withLock { $0.append((datagram, from)) } }
    }

    var all: [(datagram: [UInt8], from: PeerAddress)] { items.withLock { $0 } }
    var count: Int { items.withLock { $0.count } }

    /// Polls until `count` datagrams arrived or `timeout` passed; true when they did.
    func waitFor(_ count: Int, timeout: Duration = .seconds(5)) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while self.count < count {
            if clock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }
}

/// Waits until `transport`'s socket holds unread data (the kernel's own view, /proc/net/udp);
/// fails the test when it never does.
private func waitUntilQueued(_ transport: UDPTransport, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let port = try #require(transport.localAddress.udp?.port)
    let inode = try #require(transport.socketInode)
    try await waitUntil({ ProcNetUDP.entries(port: port).contains { $0.inode == inode && $0.receiveQueue > 0 } },
                        sourceLocation: sourceLocation)
}

private func loopback(_ transport: UDPTransport) throws -> PeerAddress {
    let endpoint = try #require(transport.localAddress.udp)
    return .udp(WireEndpoint(ip: IPAddress(ipv4: 0x7f00_0001), port: endpoint.port))
}

/// True when this host can bind an IPv6 loopback socket.
private let ipv6LoopbackAvailable: Bool = {
    let fd = socket(AF_INET6, Int32(SOCK_DGRAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in6()
    address.sin6_family = sa_family_t(AF_INET6)
    address.sin6_addr = in6addr_loopback
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) == 0
        }
    }
}()

@Suite struct UDPTransportExchangeTests {
    @Test func twoIPv4TransportsExchangeDatagramsWithCorrectSources() async throws {
        try await withTransports(2) { t in
            let (a, b) = (t[0], t[1])
            let inboxA = Inbox(), inboxB = Inbox()
            try await a.start(inboxA.handler)
            try await b.start(inboxB.handler)

            let aPort = try #require(a.localAddress.udp).port
            #expect(aPort != 0)
            #expect(a.localAddress.description == "127.0.0.1:\(aPort)")

            try a.send([1, 2, 3], to: b.localAddress)
            try b.send([4, 5], to: a.localAddress)
            try b.send([UInt8](repeating: 7, count: 1200), to: a.localAddress)
            #expect(await inboxB.waitFor(1))
            #expect(await inboxA.waitFor(2))
            #expect(inboxB.all.map(\.datagram) == [[1, 2, 3]])
            #expect(inboxB.all.first?.from == a.localAddress)
            #expect(inboxA.all.map(\.datagram.count) == [2, 1200])
            #expect(inboxA.all.allSatisfy { $0.from == b.localAddress })
            #expect(a.stats.sent == 1 && a.stats.received == 2 && a.stats.sendErrors == 0)
        }
    }

    @Test(.enabled(if: ipv6LoopbackAvailable)) func twoIPv6TransportsExchangeDatagrams() async throws {
        try await withTransports(2, host: "::1") { t in
            let (a, b) = (t[0], t[1])
            let inboxA = Inbox(), inboxB = Inbox()
            try await a.start(inboxA.handler)
            try await b.start(inboxB.handler)
            let aEndpoint = try #require(a.localAddress.udp)
            #expect(!aEndpoint.ip.isIPv4)
            #expect(aEndpoint.description == "[::1]:\(aEndpoint.port)")

            try a.send([9], to: b.localAddress)
            try b.send([8], to: a.localAddress)
            #expect(await inboxA.waitFor(1))
            #expect(await inboxB.waitFor(1))
            #expect(inboxB.all.first?.from == a.localAddress)
            #expect(inboxA.all.first?.from == b.localAddress)
        }
    }

    @Test func theDefaultWildcardServesIPv4PeersWithIPv4Sources() async throws {
        // Dual-stack `::` where the host has IPv6, else the 0.0.0.0 fallback: either way IPv4
        // peers reach it, and it sees and answers them as plain IPv4.
        let server = try await UDPTransport.bind()
        let client = try await UDPTransport.bind(host: "127.0.0.1")
        let serverInbox = Inbox(), clientInbox = Inbox()
        try await server.start { datagram, from in
            serverInbox.handler(datagram, from)
            try? server.send(datagram.reversed(), to: from)
        }
        try await client.start(clientInbox.handler)

        try client.send([1, 2, 3], to: try loopback(server))
        #expect(await serverInbox.waitFor(1))
        #expect(serverInbox.all.first?.from == client.localAddress)
        #expect(await clientInbox.waitFor(1))
        #expect(clientInbox.all.first?.datagram == [3, 2, 1])
        #expect(clientInbox.all.first?.from == (try loopback(server)))

        await server.close()
        await client.close()
    }
}

@Suite struct UDPTransportLimitTests {
    @Test func oversizeInboundDatagramsAreDroppedAndCountedNotTruncated() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let receiver = try await UDPTransport.bind(host: "127.0.0.1", group: group)
        let inbox = Inbox()
        try await receiver.start(inbox.handler)
        let destination = try SocketAddress(ipAddress: "127.0.0.1", port: Int(try #require(receiver.localAddress.udp).port))

        // A plain NIO socket, free of the transport's own 1200-byte send check.
        let raw = try await DatagramBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        for size in [1201, 9000, 1200, 1500, 10] {
            let buffer = raw.allocator.buffer(bytes: [UInt8](repeating: UInt8(truncatingIfNeeded: size), count: size))
            try await raw.writeAndFlush(AddressedEnvelope(remoteAddress: destination, data: buffer)).get()
        }
        #expect(await inbox.waitFor(2))
        // Give the oversize ones a moment too: they were sent in order, so they have been read
        // by the time the last small one arrived.
        #expect(inbox.all.map(\.datagram.count) == [1200, 10])
        #expect(receiver.stats.oversizeDropped == 3)
        #expect(receiver.stats.received == 2)

        try await raw.close()
        await receiver.close()
        try await group.shutdownGracefully()
    }

    @Test func sendRejectsOversizeMemoryAndWrongFamilyDestinations() async throws {
        try await withTransports(1) { t in
            let a = t[0]
            let peer = try loopback(a)
            #expect(throws: TransportError.packetTooLarge(1201)) {
                try a.send([UInt8](repeating: 0, count: 1201), to: peer)
            }
            #expect(throws: TransportError.self) { try a.send([1], to: .memory("node-1")) }
            let v6 = try #require(IPAddress(text: "2001:db8::1"))
            #expect(throws: TransportError.self) { try a.send([1], to: .udp(WireEndpoint(ip: v6, port: 9))) }
            // An IPv4-mapped destination is plain IPv4 to an IPv4 socket.
            let mapped = try #require(IPAddress(text: "::ffff:127.0.0.1"))
            try a.send([1], to: .udp(WireEndpoint(ip: mapped, port: try #require(a.localAddress.udp).port)))
            #expect(a.stats.sent == 1)
        }
    }

    @Test func closeIsIdempotentAndLaterSendsFail() async throws {
        let a = try await UDPTransport.bind(host: "127.0.0.1")
        try await a.start { _, _ in }
        await #expect(throws: UDPTransportError.alreadyStarted) { try await a.start { _, _ in } }
        let peer = try loopback(a)
        await a.close()
        await a.close()
        #expect(throws: TransportError.closed) { try a.send([1], to: peer) }
        await #expect(throws: TransportError.closed) { try await a.start { _, _ in } }
    }

    /// A handler that answers through its own transport holds the transport; `close` lets go
    /// of the handler, so that cycle does not keep the transport, its channel and its event
    /// loop group alive (LeakSanitizer found it; scripts/sanitizers.sh).
    @Test func closeReleasesAHandlerThatHoldsItsTransport() async throws {
        var transport: UDPTransport? = try await UDPTransport.bind(host: "127.0.0.1")
        weak var released = transport
        try await transport?.start { [transport] datagram, from in try? transport?.send(datagram, to: from) }
        await transport?.close()
        transport = nil
        #expect(released == nil)
    }

    @Test func bindingPortZeroGivesARealPortAndAnExplicitPortIsHonoured() async throws {
        let a = try await UDPTransport.bind(host: "127.0.0.1", port: 0)
        let port = try #require(a.localAddress.udp).port
        #expect(port != 0)
        await a.close()
        // The port is free again after close; binding it explicitly gives exactly that port.
        let b = try await UDPTransport.bind(host: "127.0.0.1", port: Int(port))
        #expect(b.localAddress.udp?.port == port)
        // And a busy port is an error, not a silent different port.
        await #expect(throws: (any Error).self) { _ = try await UDPTransport.bind(host: "127.0.0.1", port: Int(port)) }
        await b.close()
    }

    @Test func datagramsSentBeforeStartWaitInTheSocket() async throws {
        try await withTransports(2) { t in
            let (a, b) = (t[0], t[1])
            try a.send([42], to: b.localAddress)
            // The datagram is in b's socket queue before b reads anything.
            try await waitUntilQueued(b)
            let inbox = Inbox()
            try await b.start(inbox.handler)
            #expect(await inbox.waitFor(1))
        }
    }
}

@Suite struct UDPTransportBurstTests {
    /// Loopback loses a datagram only where the kernel counts it (the receiver's queue, or the
    /// machine's loopback backlog), so every one of a burst is accounted for exactly.
    @Test func everyDatagramOfABurstArrivesOrIsCountedAsDropped() async throws {
        try await withTransports(2) { t in
            let (a, b) = (t[0], t[1])
            let received = Atomic<Int>(0)
            try await b.start { _, _ in received.add(1, ordering: .relaxed) }
            let count = 10_000
            var datagram = [UInt8](repeating: 0xA4, count: 200)
            let backlogBefore = DatagramAccountingTests.backlogDrops()
            for i in 0..<count {
                datagram[0] = UInt8(truncatingIfNeeded: i)
                try a.send(datagram, to: b.localAddress)
            }
            let backlog = DatagramAccountingTests.backlogDrops() - backlogBefore
            #expect(a.stats.sent == UInt64(count))
            let stats = try await DatagramAccountingTests.awaitAccounting(b, sent: count, backlog: backlog)
            #expect(Int(stats.received) == received.load(ordering: .relaxed))
            #expect(stats.oversizeDropped == 0 && stats.unreadableDropped == 0)
        }
    }
}

@Suite struct SocketAddressConversionTests {
    @Test func mappedSourcesBecomeIPv4() throws {
        let mapped = try SocketAddress(ipAddress: "::ffff:10.1.2.3", port: 4000)
        let endpoint = try #require(WireEndpoint(socketAddress: mapped))
        #expect(endpoint.ip.isIPv4)
        #expect(endpoint.description == "10.1.2.3:4000")
        let v6 = try #require(WireEndpoint(socketAddress: try SocketAddress(ipAddress: "2001:db8::7", port: 1)))
        #expect(v6.description == "[2001:db8::7]:1")
    }

    @Test func destinationsFollowTheSocketFamily() throws {
        let v4 = WireEndpoint(ip: IPAddress(ipv4: 0x0a01_0203), port: 4000)
        let onV6 = try #require(DestinationAddress(v4, fromIPv6Socket: true)).socketAddress
        #expect(onV6.protocol == .inet6)
        #expect(onV6.ipAddress == "::ffff:10.1.2.3")
        #expect(onV6.port == 4000)
        let onV4 = try #require(DestinationAddress(v4, fromIPv6Socket: false)).socketAddress
        #expect(onV4.ipAddress == "10.1.2.3" && onV4.port == 4000)
        let v6 = WireEndpoint(ip: try #require(IPAddress(text: "2001:db8::1")), port: 5)
        #expect(DestinationAddress(v6, fromIPv6Socket: false) == nil)
        #expect(DestinationAddress(v6, fromIPv6Socket: true)?.socketAddress.ipAddress == "2001:db8::1")
    }
}
