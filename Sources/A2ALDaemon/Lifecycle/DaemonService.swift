import ServiceLifecycle

/// The running daemon as a service: it serves until the group shuts down gracefully, then
/// tells systemd it is stopping and shuts the daemon down (in-flight calls answered
/// `unavailable`, state flushed; docs/systemd.md, "Stopping and restarting").
struct DaemonService: Service {
    let daemon: Daemon
    let notifier: SystemdNotifier

    func run() async throws {
        // Cancellation (another service failed) stops the daemon the same way.
        try? await gracefulShutdown()
        notifier.notify("STOPPING=1", SystemdNotifier.status("stopping"))
        await daemon.shutdown()
    }
}
