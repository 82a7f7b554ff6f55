#if canImport(Glibc)
import Glibc
#endif
import Logging

/// The daemon's log handler: one line per event on standard error, in the format and at the
/// level `LogSettings` hold now, with a `<N>` priority prefix when stderr is the journal so
/// `journalctl -p` sees real priorities (docs/systemd.md, "Logs").
package struct DaemonLogHandler: LogHandler {
    package let label: String
    package var metadata: Logger.Metadata = [:]
    private let settings: LogSettings
    private let write: @Sendable (String) -> Void
    /// A level set on this logger alone; otherwise the shared (reloadable) one counts.
    private var ownLevel: Logger.Level?

    package init(label: String, settings: LogSettings) {
        self.init(label: label, settings: settings, write: DaemonLogHandler.writeToStandardError)
    }

    init(label: String, settings: LogSettings, write: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.settings = settings
        self.write = write
    }

    package var logLevel: Logger.Level {
        get { ownLevel ?? settings.level }
        set { ownLevel = newValue }
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?,
                    source: String, file: String, function: String, line: UInt) {
        let all = explicit.map { self.metadata.merging($0) { _, new in new } } ?? self.metadata
        let time = settings.journal && settings.format == .text ? "" : LogLineFormatter.now()
        switch settings.format {
        case .text:
            write(LogLineFormatter.text(level: level, label: label, message: message.description, metadata: all,
                                        time: time, journal: settings.journal))
        case .json:
            write(LogLineFormatter.json(level: level, label: label, message: message.description, metadata: all,
                                        time: time, journal: settings.journal))
        }
    }

    /// One write(2) per line, so lines of concurrent loggers never interleave.
    @Sendable static func writeToStandardError(_ line: String) {
        var bytes = Array(line.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { buf in
                Glibc.write(STDERR_FILENO, buf.baseAddress.map { $0 + offset }, buf.count - offset)
            }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }
}
