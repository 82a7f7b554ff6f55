import Logging
import ServiceLifecycle

/// Turns the signals of `SignalPipe` into actions: SIGHUP reloads the configuration, SIGINT
/// and SIGTERM end this service, which (configured with `.gracefullyShutdownGroup`) shuts the
/// whole group down gracefully.
struct SignalService: Service {
    let pipe: SignalPipe
    let reloader: ConfigReloader
    let logger: Logger

    func run() async throws {
        for await signal in pipe.signals.cancelOnGracefulShutdown() {
            logger.info("received \(signal.name)")
            switch signal {
            case .hangup: await reloader.reload()
            case .interrupt, .terminate: return
            }
        }
    }
}
