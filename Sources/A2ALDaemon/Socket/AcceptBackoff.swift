import Logging
import NIOCore

/// What the listening socket does when `accept` fails (docs/security.md, "Local clients").
/// Out of descriptors (EMFILE, ENFILE) or memory, the kernel keeps the pending connection
/// queued and reports the socket readable again at once: retrying at once spins a core at
/// 100% (22,297 failed accepts in 3 s). After a failure this handler turns the listener's
/// `autoRead` off, which takes it out of the poll set, and on again `delay` later; the waiting
/// clients stay queued and are served once descriptors are free again.
///
/// NIO's own `AcceptBackoffHandler` does not help here: it only delays the next `read()`
/// request, and after a failed accept NIO never makes one (its read stays pending, so the
/// socket stays in the poll set), which the 100% CPU above was measured with.
final class AcceptBackoff: ChannelInboundHandler {
    typealias InboundIn = any Channel

    /// Between attempts while `accept` keeps failing.
    static let delay: TimeAmount = .seconds(1)
    /// Failures are logged at most this often (each attempt fails again while exhausted).
    static let logInterval: TimeAmount = .seconds(30)

    private let logger: Logger
    private var resume: Scheduled<Void>?
    private var lastLogged: NIODeadline?
    private var unlogged = 0

    init(logger: Logger) { self.logger = logger }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let error = error as? IOError else {
            context.fireErrorCaught(error)
            return
        }
        log(error)
        guard resume == nil, let options = context.channel.syncOptions else { return }
        try? options.setOption(ChannelOptions.autoRead, value: false)
        resume = context.eventLoop.assumeIsolated().scheduleTask(in: Self.delay) { [weak self] in
            self?.resume = nil
            try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: true)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        resume?.cancel()
        resume = nil
        context.fireChannelInactive()
    }

    private func log(_ error: IOError) {
        let now = NIODeadline.now()
        if let lastLogged, now - lastLogged < Self.logInterval {
            unlogged += 1
            return
        }
        logger.warning("unix socket accept failed; not accepting for \(Self.delay.nanoseconds / 1_000_000) ms",
                       metadata: ["error": "\(error)", "failures_since_last_warning": "\(unlogged)"])
        lastLogged = now
        unlogged = 0
    }
}
