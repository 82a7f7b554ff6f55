import A2ALThreads
import Logging

/// SIGHUP: reads the configuration again (same flags, file and environment as at start),
/// applies what can change live and logs what needs a restart. A file that does not load
/// leaves everything as it was (docs/systemd.md, "Reloading").
final class ConfigReloader: Sendable {
    private let load: @Sendable () throws -> DaemonConfig
    private let daemon: Daemon
    private let logSettings: LogSettings
    private let notifier: SystemdNotifier
    private let logger: Logger
    private let running: SleepingLock<DaemonConfig>

    init(daemon: Daemon, load: @escaping @Sendable () throws -> DaemonConfig, logSettings: LogSettings,
         notifier: SystemdNotifier, logger: Logger) {
        self.daemon = daemon
        self.load = load
        self.logSettings = logSettings
        self.notifier = notifier
        self.logger = logger
        running = SleepingLock(daemon.config)
    }

    func reload() async {
        // systemd ≥ 253 wants the time of the reload with RELOADING=1 (sd_notify(3)).
        notifier.notify("RELOADING=1", "MONOTONIC_USEC=\(SystemdNotifier.monotonicMicroseconds())",
                        SystemdNotifier.status("reloading configuration"))
        let fresh: DaemonConfig
        do {
            fresh = try load()
        } catch {
            // The error names the file and the fault (ConfigError).
            logger.error("configuration not reloaded; keeping the running one: \(error)")
            notifier.notify("READY=1", SystemdNotifier.status("running; last reload failed: \(error)"))
            return
        }
        let plan = ReloadPlan(old: running.withLock { $0 }, new: fresh)
        running.withLock { $0 = plan.running }
        logSettings.update(level: Logger.Level(rawValue: fresh.logLevel) ?? .info,
                           format: LogFormat(rawValue: fresh.logFormat) ?? .text)
        daemon.applyLive(plan.running, changed: plan.applied)
        for key in plan.needsRestart {
            logger.warning("\(key.fileKey) changed; it takes effect after a restart")
        }
        logger.notice("configuration reloaded", metadata: [
            "file": "\(fresh.configFile ?? "(none)")", "applied": "\(ReloadPlan.names(plan.applied))",
            "needs_restart": "\(ReloadPlan.names(plan.needsRestart))",
        ])
        let status = plan.needsRestart.isEmpty
            ? "running"
            : "running; restart to apply: \(ReloadPlan.names(plan.needsRestart))"
        notifier.notify("READY=1", SystemdNotifier.status(status))
    }
}
