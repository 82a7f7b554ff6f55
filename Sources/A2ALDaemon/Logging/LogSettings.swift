import A2ALThreads
import Logging

/// How log lines are written: "text" for people and the journal, "json" (one object per line)
/// for log collectors (docs/systemd.md, "Logs").
package enum LogFormat: String, Sendable, CaseIterable {
    case text, json
}

/// The level and format every log handler of the process reads on each line. Shared, so a
/// SIGHUP reload changes them for loggers that already exist (docs/systemd.md, "Reloading").
package final class LogSettings: Sendable {
    private struct State {
        var level: Logger.Level
        var format: LogFormat
    }
    private let state: SleepingLock<State>
    /// Standard error is the journal: lines get a `<N>` priority prefix and no timestamp.
    package let journal: Bool

    package init(level: Logger.Level, format: LogFormat, journal: Bool) {
        state = SleepingLock(State(level: level, format: format))
        self.journal = journal
    }

    package var level: Logger.Level { state.withLock { $0.level } }
    package var format: LogFormat { state.withLock { $0.format } }

    package func update(level: Logger.Level, format: LogFormat) {
        state.withLock { $0 = State(level: level, format: format) }
    }
}
