import Logging
import ServiceLifecycle

/// Runs a started daemon under swift-service-lifecycle until SIGINT or SIGTERM, reloading its
/// configuration on SIGHUP, and keeps systemd informed (READY=1, RELOADING=1, STOPPING=1,
/// STATUS=, watchdog pings; docs/systemd.md, "Readiness and watchdog").
///
/// Other long-running parts (a metrics endpoint, say) join as `extraServices`: they start
/// after the daemon is up and stop before it shuts down, the group's reverse order.
package struct DaemonLifecycle {
    package let daemon: Daemon
    package let signals: SignalPipe
    package let notifier: SystemdNotifier
    package let logSettings: LogSettings
    package let logger: Logger
    /// Reads the configuration again for a reload: the same layers as at start.
    package let reloadConfig: @Sendable () throws -> DaemonConfig
    package let extraServices: [any Service]
    package let environment: [String: String]

    package init(daemon: Daemon, signals: SignalPipe, notifier: SystemdNotifier, logSettings: LogSettings,
                logger: Logger, environment: [String: String],
                reloadConfig: @escaping @Sendable () throws -> DaemonConfig, extraServices: [any Service] = []) {
        self.daemon = daemon
        self.signals = signals
        self.notifier = notifier
        self.logSettings = logSettings
        self.logger = logger
        self.environment = environment
        self.reloadConfig = reloadConfig
        self.extraServices = extraServices
    }

    /// Returns once the daemon has shut down.
    package func run() async throws {
        let reloader = ConfigReloader(daemon: daemon, load: reloadConfig, logSettings: logSettings,
                                      notifier: notifier, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        // First in, last out: the watchdog pings on while the daemon flushes its state.
        if let interval = WatchdogService.pingInterval(environment: environment) {
            services.append(.init(service: WatchdogService(interval: interval, notifier: notifier),
                                  serviceName: "watchdog"))
        }
        services.append(.init(service: DaemonService(daemon: daemon, notifier: notifier), serviceName: "daemon"))
        services += extraServices.map { .init(service: $0) }
        services.append(.init(service: SignalService(pipe: signals, reloader: reloader, logger: logger),
                              successTerminationBehavior: .gracefullyShutdownGroup, serviceName: "signals"))
        // No signals of the group's own: SignalPipe explains why.
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [], cancellationSignals: [], logger: logger))
        // The socket is bound and the node is up (Daemon.start returned): ready.
        notifier.notify("READY=1", SystemdNotifier.status("running"))
        try await group.run()
    }
}
