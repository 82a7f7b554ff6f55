#if canImport(Glibc)
import Glibc
#endif
import ServiceLifecycle

/// Sends WATCHDOG=1 at half the interval systemd asked for (`WatchdogSec=` → `WATCHDOG_USEC`),
/// as sd_watchdog_enabled(3) advises. It runs as long as the service group, so pings go on
/// while the daemon shuts down (docs/systemd.md, "Readiness and watchdog").
struct WatchdogService: Service {
    let interval: Duration
    let notifier: SystemdNotifier

    /// The ping interval, or nil when systemd wants no pings from this process:
    /// `WATCHDOG_USEC` unset or not a positive number, or `WATCHDOG_PID` naming another one.
    static func pingInterval(environment: [String: String], pid: pid_t = getpid()) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let usec = UInt64(text), usec > 0 else { return nil }
        if let owner = environment["WATCHDOG_PID"], !owner.isEmpty, pid_t(owner) != pid { return nil }
        return .microseconds(Int64(clamping: usec / 2))
    }

    func run() async {
        let interval = self.interval, notifier = self.notifier
        // Cancelled when the group shuts down gracefully: a normal end, not a failure (a
        // thrown CancellationError would make the group, and the daemon's exit, fail).
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                notifier.notify("WATCHDOG=1")
                do { try await Task.sleep(for: interval) } catch { return }
            }
        }
    }
}
