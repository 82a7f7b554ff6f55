@testable import A2ALDaemon
import Foundation
import Logging
import Testing

/// The pieces of the lifecycle and logging that need no process: log line formats, journal
/// detection, the reload plan, notify addresses and the watchdog interval.
@Suite struct LifecyclePartsTests {
    @Test(arguments: [(Logger.Level.trace, 7), (.debug, 7), (.info, 6), (.notice, 5), (.warning, 4), (.error, 3),
                      (.critical, 2)])
    func syslogPriorities(level: Logger.Level, priority: Int) {
        #expect(LogLineFormatter.syslogPriority(level) == priority)
        let line = LogLineFormatter.text(level: level, label: "a2ald", message: "m", metadata: [:], time: "T", journal: true)
        #expect(line == "<\(priority)>\(level) a2ald: m\n")
    }

    @Test func textLinesSortMetadataAndStayOneLine() {
        let line = LogLineFormatter.text(level: .warning, label: "x", message: "two\nlines", metadata: ["b": "2", "a": "1"],
                                         time: "2026-01-01T00:00:00.000Z", journal: false)
        #expect(line == "2026-01-01T00:00:00.000Z warning x: two lines a=1 b=2\n")
    }

    @Test func jsonLinesParseAndEscape() throws {
        let line = LogLineFormatter.json(level: .error, label: "a2ald", message: "say \"hi\"\n\u{1}",
                                         metadata: ["k": "v", "list": .array(["a", .dictionary(["n": "1"])])],
                                         time: "T", journal: false)
        #expect(line.hasSuffix("}\n") && line.filter { $0 == "\n" }.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["message"] as? String == "say \"hi\"\n\u{1}")
        #expect(object["level"] as? String == "error")
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["k"] as? String == "v")
        #expect((metadata["list"] as? [Any])?.count == 2)
        #expect(LogLineFormatter.json(level: .error, label: "a", message: "m", metadata: [:], time: "T", journal: true)
            .hasPrefix("<3>{"))
    }

    @Test func timestampsAreRFC3339Milliseconds() {
        #expect(LogLineFormatter.now().range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"#, options: .regularExpression) != nil)
    }

    @Test func theHandlerFollowsSharedSettings() {
        let settings = LogSettings(level: .info, format: .text, journal: true)
        let lines = LinesBox()
        let logger = Logger(label: "t") { DaemonLogHandler(label: $0, settings: settings, write: { lines.append($0) }) }
        logger.debug("hidden")
        logger.info("shown")
        settings.update(level: .debug, format: .json)
        logger.debug("now shown")
        #expect(lines.all.count == 2)
        #expect(lines.all.first == "<6>info t: shown\n")
        #expect(lines.all.last?.hasPrefix("<7>{\"time\":") == true)
    }

    @Test func journalStreamParsing() {
        #expect(JournalStream.parse("64768:1234").map { $0.device == 64768 && $0.inode == 1234 } == true)
        #expect(JournalStream.parse("1:2:3") == nil)
        #expect(JournalStream.parse("x:1") == nil)
        #expect(!JournalStream.isStandardError(environment: [:]))
    }

    @Test func reloadPlanSplitsLiveAndRestartSettings() {
        let old = DaemonConfig(dataDir: "/d", socketPath: "/s")
        var new = old
        new.logLevel = "debug"
        new.bootstrap = ["a.example:4121"]
        new.maxConnections = 9
        new.listen = "127.0.0.1:1"
        new.storeMaxBytes = 1 << 20
        let plan = ReloadPlan(old: old, new: new)
        #expect(Set(plan.applied) == [.logLevel, .bootstrap, .storeMaxBytes])
        #expect(plan.running.storeMaxBytes == 1 << 20)
        #expect(Set(plan.needsRestart) == [.maxConnections, .listen])
        #expect(plan.running.logLevel == "debug" && plan.running.maxConnections == old.maxConnections)
        #expect(plan.running.listen == old.listen)
        #expect(ReloadPlan(old: old, new: old).applied.isEmpty)
    }

    @Test func notifyAddresses() throws {
        let path = try #require(SystemdNotifier.address("/run/systemd/notify"))
        #expect(path.length == 2 + 19 + 1)
        let abstract = try #require(SystemdNotifier.address("@x/y"))
        #expect(abstract.length == 2 + 4)
        #expect(withUnsafeBytes(of: abstract.storage.sun_path) { $0[0] } == 0)
        #expect(SystemdNotifier.address(String(repeating: "a", count: 200)) == nil)
        #expect(!SystemdNotifier(socketAddress: nil).notify("READY=1"))
        #expect(!SystemdNotifier(socketAddress: "").notify("READY=1"))
    }

    @Test func watchdogInterval() {
        #expect(WatchdogService.pingInterval(environment: ["WATCHDOG_USEC": "30000000"], pid: 5) == .seconds(15))
        #expect(WatchdogService.pingInterval(environment: ["WATCHDOG_USEC": "200000", "WATCHDOG_PID": "5"], pid: 5)
            == .milliseconds(100))
        #expect(WatchdogService.pingInterval(environment: ["WATCHDOG_USEC": "200000", "WATCHDOG_PID": "6"], pid: 5) == nil)
        #expect(WatchdogService.pingInterval(environment: ["WATCHDOG_USEC": "0"], pid: 5) == nil)
        #expect(WatchdogService.pingInterval(environment: [:], pid: 5) == nil)
    }

    @Test func logFormatIsAConfigKey() throws {
        var overrides = ConfigOverrides()
        try overrides.set(.logFormat, text: "json")
        let config = try ConfigLoader.load(overrides: overrides, environment: ["HOME": "/nonexistent"], isRoot: false)
        #expect(config.logFormat == "json")
        #expect(config.describe().contains { $0 == ("log_format", "json") })
        #expect(throws: ConfigError.self) { try overrides.set(.logFormat, text: "xml") }
    }
}

private final class LinesBox: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}
