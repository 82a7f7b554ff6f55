import Logging
import Synchronization

/// A logger whose lines (message and metadata) the test can read back, for checking that a
/// fault is reported and not only survived.
final class CapturedLog: Sendable {
    private let lines = Mutex<[String]>([])

    var text: [String] { lines.withLock { $0 } }

    var logger: Logger {
        Logger(label: "a2al.test") { _ in CapturedLogHandler(log: self) }
    }

    func append(_ line: String) { lines.withLock { $0.append(line) } }
}

struct CapturedLogHandler: LogHandler {
    let log: CapturedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let details = all.keys.sorted().map { "\($0)=\(all[$0].map { "\($0)" } ?? "")" }.joined(separator: " ")
        log.append("\(event.level) \(event.message) \(details)")
    }
}
