import A2ALCore
import A2ALProtocol
import Testing
@testable import A2ALDaemon

/// The NAT classification from evidence (docs/protocol.md, "NAT classification"), driven with
/// a fake clock: every call passes the time.
@Suite struct NATClassifierTests {
    func ep(_ text: String) throws -> WireEndpoint {
        let colon = try #require(text.lastIndex(of: ":"))
        let ip = try #require(IPAddress(text: String(text[..<colon])))
        let port = try #require(UInt16(text[text.index(after: colon)...]))
        return WireEndpoint(ip: ip, port: port)
    }

    @Test func unknownUntilTwoReportersAgree() throws {
        let c = NATClassifier()
        #expect(c.verdict.natClass == .unknown && c.verdict.publicAddress == nil)
        #expect(c.observed(try ep("203.0.113.200:4121"), by: .random(), now: 100) == nil)
        #expect(c.verdict.natClass == .unknown && c.addressToProbe == nil)
        let v = try #require(c.observed(try ep("203.0.113.200:4121"), by: .random(), now: 101))
        // A stable mapping, filtering not yet tested: the address is known, the class is not.
        #expect(v.natClass == .unknown && v.publicAddress == "203.0.113.200:4121" && v.evidence.agreeing == 2)
        #expect(c.addressToProbe == "203.0.113.200:4121")
        #expect(NATClass.unknown.code == 0)
    }

    @Test func ourOwnInterfaceAndPortIsPublic() throws {
        let c = NATClassifier()
        _ = c.setLocalEndpoints([try ep("203.0.113.13:4121"), try ep("127.0.0.1:4121")], now: 0)
        _ = c.observed(try ep("203.0.113.13:4121"), by: .random(), now: 1)
        let v = try #require(c.observed(try ep("203.0.113.13:4121"), by: .random(), now: 2))
        #expect(v.natClass == .public && v.natClass.code == 1 && v.publicAddress == "203.0.113.13:4121")
        // Nothing to probe without a NAT.
        #expect(c.addressToProbe == nil)
    }

    @Test func everyReporterSeeingAnotherPortIsSymmetric() throws {
        let c = NATClassifier()
        _ = c.observed(try ep("203.0.113.203:50001"), by: .random(), now: 1)
        _ = c.observed(try ep("203.0.113.203:50002"), by: .random(), now: 2)
        #expect(c.verdict.natClass == .unknown)
        let v = try #require(c.observed(try ep("203.0.113.203:50003"), by: .random(), now: 3))
        #expect(v.natClass == .symmetric && v.natClass.code == 4 && v.publicAddress == nil)
        #expect(v.evidence.reporters == 3 && v.evidence.distinctPorts == 3)
        #expect(c.addressToProbe == nil)
    }

    @Test func aColdEchoMeansFullConeAndSilentLivePeersMeanFiltered() throws {
        let cone = NATClassifier()
        let address = "203.0.113.200:4121"
        _ = cone.observed(try ep(address), by: .random(), now: 1)
        _ = cone.observed(try ep(address), by: .random(), now: 2)
        let v = try #require(cone.probed(address: address, prober: .random(), echoed: true, alive: true, now: 3))
        #expect(v.natClass == .fullCone && v.natClass.code == 1 && v.evidence.coldEchoes == 1)
        #expect(cone.probesDecided)

        let filtered = NATClassifier()
        _ = filtered.observed(try ep(address), by: .random(), now: 1)
        _ = filtered.observed(try ep(address), by: .random(), now: 2)
        // A silent prober that is not alive proves nothing; one silent live prober is not enough.
        #expect(filtered.probed(address: address, prober: .random(), echoed: false, alive: false, now: 3) == nil)
        #expect(filtered.probed(address: address, prober: .random(), echoed: false, alive: true, now: 4) == nil)
        #expect(!filtered.probesDecided)
        let f = try #require(filtered.probed(address: address, prober: .random(), echoed: false, alive: true, now: 5))
        #expect(f.natClass == .filtered && f.natClass.code == 3 && f.evidence.coldFailures == 2)
        // A probe of an address that is no longer ours is ignored.
        #expect(filtered.probed(address: "203.0.113.9:1", prober: .random(), echoed: true, alive: true, now: 6) == nil)
    }

    @Test func aMovedNATKeepsItsFilteringUntilProbedAgain() throws {
        let c = NATClassifier()
        _ = c.observed(try ep("203.0.113.200:4121"), by: .random(), now: 1)
        _ = c.observed(try ep("203.0.113.200:4121"), by: .random(), now: 2)
        _ = c.probed(address: "203.0.113.200:4121", prober: .random(), echoed: true, alive: true, now: 3)
        #expect(c.verdict.natClass == .fullCone)
        // The outside address changes: the newest IP's reports decide the address at once; the
        // class carries over, so publications change once (address), not three times.
        #expect(c.observed(try ep("203.0.113.207:4121"), by: .random(), now: 10) == nil)
        let moved = try #require(c.observed(try ep("203.0.113.207:4121"), by: .random(), now: 11))
        #expect(moved.natClass == .fullCone && moved.publicAddress == "203.0.113.207:4121" && moved.evidence.carriedOver)
        #expect(!c.probesDecided && c.addressToProbe == "203.0.113.207:4121")
    }

    @Test func aQuietNodeKeepsItsVerdictWhenReportsAgeOut() throws {
        let c = NATClassifier()
        _ = c.setLocalEndpoints([try ep("203.0.113.13:4121")], now: 0)
        _ = c.observed(try ep("203.0.113.13:4121"), by: .random(), now: 1)
        _ = c.observed(try ep("203.0.113.13:4121"), by: .random(), now: 2)
        #expect(c.verdict.natClass == .public)
        #expect(c.tick(now: 2 + NATClassifier.reportWindow + 100) == nil)
        #expect(c.verdict.natClass == .public)
    }

    @Test func restartedProbesKeepTheVerdictUntilTheyDecide() throws {
        let c = NATClassifier()
        let address = "203.0.113.201:4121"
        _ = c.observed(try ep(address), by: .random(), now: 1)
        _ = c.observed(try ep(address), by: .random(), now: 2)
        _ = c.probed(address: address, prober: .random(), echoed: false, alive: true, now: 3)
        _ = c.probed(address: address, prober: .random(), echoed: false, alive: true, now: 4)
        #expect(c.verdict.natClass == .filtered)
        c.restartProbes()
        #expect(!c.probesDecided && c.verdict.natClass == .filtered)
        // The NAT now lets strangers in (a router reconfigured): one cold echo says so.
        let v = try #require(c.probed(address: address, prober: .random(), echoed: true, alive: true, now: 700))
        #expect(v.natClass == .fullCone)
    }
}
