import A2ALTestSupport
import A2ALRPC
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real daemon under a fake systemd: READY=1 only once the JSON-RPC socket is connectable,
/// RELOADING=1 (with MONOTONIC_USEC=) then READY=1 around a SIGHUP reload, STOPPING=1 on the
/// way out, and WATCHDOG=1 at half of WATCHDOG_USEC (docs/systemd.md, "Readiness and watchdog").
@Suite(.serialized) struct SystemdNotifyEndToEndTests {
    @Test func readyComesOnceTheSocketAcceptsAndStoppingOnExit() async throws {
        let notify = try FakeNotifySocket()
        defer { notify.stop() }
        let directory = try DaemonDirectory()
        let socketPath = directory.socketPath
        notify.setProbe {
            guard let probe = try? RPCLineClient(path: socketPath) else { return false }
            probe.close()
            return true
        }
        let d = try await DaemonProcess.start(directory: directory, environment: ["NOTIFY_SOCKET": notify.address])
        guard let (readyIndex, ready) = try await notify.waitFor(line: "READY=1") else {
            Issue.record("no READY=1; got \(notify.messages.map(\.text)); stderr:\n\(d.stderr)")
            return
        }
        #expect(ready.probed, "READY=1 arrived while \(socketPath) did not accept connections")
        #expect(ready.lines.contains("STATUS=running"), "READY message: \(ready.text)")
        // Nothing claimed readiness earlier.
        #expect(notify.messages.prefix(readyIndex).allSatisfy { !$0.lines.contains("READY=1") })
        #expect(try await d.result("node.info").str("socket") == socketPath)

        #expect(kill(d.pid, SIGHUP) == 0)
        let reloading = try await notify.waitFor(line: "RELOADING=1", after: readyIndex + 1)
        #expect(reloading != nil, "no RELOADING=1 after SIGHUP; got \(notify.messages.map(\.text))")
        if let (index, message) = reloading {
            let stamp = message.lines.first { $0.hasPrefix("MONOTONIC_USEC=") }.flatMap { UInt64($0.dropFirst(15)) }
            #expect(stamp.map { $0 > 0 } == true, "RELOADING=1 without a MONOTONIC_USEC=: \(message.text)")
            let readyAgain = try await notify.waitFor(line: "READY=1", after: index + 1)
            #expect(readyAgain != nil, "no READY=1 after the reload; got \(notify.messages.map(\.text))")
        }

        #expect(try await d.stop() == 0)
        let stopping = try await notify.waitFor(line: "STOPPING=1", timeout: .seconds(5))
        #expect(stopping != nil, "no STOPPING=1; got \(notify.messages.map(\.text))")
    }

    @Test func watchdogPingsAtHalfTheIntervalOnAnAbstractSocket() async throws {
        let notify = try FakeNotifySocket(abstract: true)
        defer { notify.stop() }
        // 200 ms asked for: a ping every 100 ms.
        let d = try await DaemonProcess.start(environment: ["NOTIFY_SOCKET": notify.address, "WATCHDOG_USEC": "200000"])
        let wanted = 8
        // 8 pings take about 0.8 s; 10 s is generous for a loaded machine.
        let pings = try await notify.waitUntil(timeout: .seconds(10)) { all -> [ContinuousClock.Instant]? in
            let times = all.filter { $0.lines.contains("WATCHDOG=1") }.map(\.at)
            return times.count >= wanted ? times : nil
        }
        #expect(pings != nil, "fewer than \(wanted) WATCHDOG=1 in 10 s: \(notify.messages.map(\.text)); stderr:\n\(d.stderr)")
        if let pings, let first = pings.first, let last = pings.last {
            // Not faster than asked: 7 intervals of 100 ms cannot take under 0.5 s.
            #expect(last - first >= .milliseconds(500), "\(pings.count) pings within \(last - first)")
        }
        #expect(try await d.stop() == 0)
    }

    @Test func noPingsForAnotherProcessesWatchdog() async throws {
        let notify = try FakeNotifySocket()
        defer { notify.stop() }
        let d = try await DaemonProcess.start(environment: [
            "NOTIFY_SOCKET": notify.address, "WATCHDOG_USEC": "100000", "WATCHDOG_PID": "1",
        ])
        #expect(try await notify.waitFor(line: "READY=1") != nil)
        #expect(try await d.stop() == 0)
        #expect(try await notify.waitFor(line: "STOPPING=1", timeout: .seconds(5)) != nil)
        // The daemon ran for the whole start-stop round trip, 50 ms intervals over it.
        #expect(!notify.messages.contains { $0.lines.contains("WATCHDOG=1") }, "\(notify.messages.map(\.text))")
    }
}
