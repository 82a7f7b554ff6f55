import A2ALCore
import A2ALDaemon
import A2ALProtocol
import Testing

/// Consensus on our public address from peers' observed_addr reports.
@Suite struct ObservedAddressTrackerTests {
    func wire(_ text: String) throws -> [UInt8] {
        let (host, port) = try #require(splitHostPort(text))
        return WireEndpoint(ip: try #require(IPAddress(text: host)), port: port).wire
    }

    func splitHostPort(_ t: String) -> (String, UInt16)? {
        guard let colon = t.lastIndex(of: ":"), let port = UInt16(t[t.index(after: colon)...]) else { return nil }
        var host = String(t[..<colon])
        if host.hasPrefix("[") { host = String(host.dropFirst().dropLast()) }
        return (host, port)
    }

    let a = NodeID.random(), b = NodeID.random(), c = NodeID.random()

    @Test func aLoneReporterIsBelievedUntilASecondOneAppears() throws {
        let t = ObservedAddressTracker()
        let first = try #require(t.report(reporter: a, wire: try wire("203.0.113.5:4000"), now: 1000))
        #expect(first.observed == "203.0.113.5:4000")
        #expect(first.change?.old == nil && first.change?.new == "203.0.113.5:4000" && first.change?.agreeing == 1)
        #expect(t.publicAddress == "203.0.113.5:4000")
        // Another peer alone cannot move it...
        let second = try #require(t.report(reporter: b, wire: try wire("198.51.100.9:4000"), now: 1001))
        #expect(second.change == nil && t.publicAddress == "203.0.113.5:4000")
        // ...and once several peers have reported, one peer is no longer enough even with no rival.
        _ = t.report(reporter: a, wire: try wire("198.51.100.9:5000"), now: 1002)
        #expect(t.publicAddress == "203.0.113.5:4000")
        // Two agreeing reporters move it.
        let third = try #require(t.report(reporter: c, wire: try wire("198.51.100.9:4000"), now: 1003))
        #expect(third.change?.old == "203.0.113.5:4000" && third.change?.new == "198.51.100.9:4000" && third.change?.agreeing == 2)
        #expect(t.publicAddress == "198.51.100.9:4000")
        // Repeating the same report changes nothing.
        #expect(t.report(reporter: c, wire: try wire("198.51.100.9:4000"), now: 1004)?.change == nil)
    }

    @Test func tiesKeepTheCurrentAddressWhileItIsStillConfirmed() throws {
        let t = ObservedAddressTracker()
        _ = t.report(reporter: a, wire: try wire("203.0.113.5:4000"), now: 10)
        _ = t.report(reporter: b, wire: try wire("203.0.113.5:4000"), now: 11)
        let d = NodeID.random()
        _ = t.report(reporter: c, wire: try wire("198.51.100.1:4000"), now: 12)
        _ = t.report(reporter: a, wire: try wire("203.0.113.5:4000"), now: 13)
        let tie = t.report(reporter: d, wire: try wire("198.51.100.1:4000"), now: 14)
        #expect(tie?.change == nil && t.publicAddress == "203.0.113.5:4000")
    }

    @Test func aMovedAddressWinsOnceAQuorumReportsItAfterTheLastConfirmation() throws {
        // A NAT's outside address changed: the peers that reported the old one have not heard
        // from us since, and two that did agree on the new one.
        let t = ObservedAddressTracker()
        for i in 0..<5 { _ = t.report(reporter: NodeID.random(), wire: try wire("203.0.113.5:4000"), now: UInt64(10 + i)) }
        #expect(t.report(reporter: a, wire: try wire("203.0.113.9:4000"), now: 20)?.change == nil)
        let moved = t.report(reporter: b, wire: try wire("203.0.113.9:4000"), now: 21)
        #expect(moved?.change?.old == "203.0.113.5:4000" && moved?.change?.new == "203.0.113.9:4000")
        #expect(moved?.change?.agreeing == 2 && t.publicAddress == "203.0.113.9:4000")
        // The old address does not come back while its reports are only the old ones.
        #expect(t.report(reporter: c, wire: try wire("203.0.113.9:4000"), now: 22)?.change == nil)
        #expect(t.publicAddress == "203.0.113.9:4000")
    }

    @Test func oldReportsStopCounting() throws {
        let t = ObservedAddressTracker()
        _ = t.report(reporter: a, wire: try wire("203.0.113.5:4000"), now: 0)
        _ = t.report(reporter: b, wire: try wire("203.0.113.5:4000"), now: 0)
        #expect(t.publicAddress == "203.0.113.5:4000")
        let later = ObservedAddressTracker.reportWindow + 1
        // The two old reports no longer count, so two fresh ones for a new address win...
        _ = t.report(reporter: c, wire: try wire("198.51.100.1:4000"), now: later)
        let moved = t.report(reporter: NodeID.random(), wire: try wire("198.51.100.1:4000"), now: later)
        #expect(moved?.change?.new == "198.51.100.1:4000" && moved?.change?.agreeing == 2)
        // ...and only fresh reports are listed, newest first.
        let listed = t.reports(now: later)
        #expect(listed.count == 2 && listed.allSatisfy { $0.1 == "198.51.100.1:4000" && $0.2 == later })
        #expect(t.reports(now: 5).count == 4)
    }

    @Test func reportsAreBoundedAndNewestFirst() throws {
        let t = ObservedAddressTracker()
        for i in 0..<(ObservedAddressTracker.maxReporters + 10) {
            _ = t.report(reporter: NodeID.random(), wire: try wire("203.0.113.5:4000"), now: UInt64(100 + i))
        }
        let listed = t.reports(now: 200)
        #expect(listed.count == ObservedAddressTracker.maxReporters)
        #expect(listed.first?.2 == UInt64(100 + ObservedAddressTracker.maxReporters + 9))
        #expect(listed.last?.2 == 110)  // the ten oldest were forgotten
    }

    @Test func undecodableAndPlaceholderReports() throws {
        let t = ObservedAddressTracker()
        #expect(t.report(reporter: a, wire: [1, 2, 3], now: 1) == nil)
        #expect(t.report(reporter: a, wire: [], now: 1) == nil)
        // 127.0.0.1:0 is the reference's "cannot tell": shown, never counted.
        let placeholder = try #require(t.report(reporter: a, wire: WireEndpoint.unknown.wire, now: 1))
        #expect(placeholder.observed == "127.0.0.1:0" && placeholder.change == nil)
        #expect(t.publicAddress == nil && t.reports(now: 1).isEmpty)
        // IPv6 and IPv4-mapped IPv6.
        let v6 = try #require(t.report(reporter: a, wire: try wire("[2001:db8::1]:4000"), now: 2))
        #expect(v6.observed == "[2001:db8::1]:4000")
        let mapped = try #require(IPAddress(text: "::ffff:203.0.113.7"))
        let m = try #require(t.report(reporter: b, wire: mapped.bytes + [0x0f, 0xa0], now: 3))
        #expect(m.observed == "203.0.113.7:4000")
    }
}
