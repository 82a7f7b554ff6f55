import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// The signals the daemon acts on: SIGINT and SIGTERM stop it, SIGHUP reloads its config file.
package enum DaemonSignal: Int32, Sendable {
    case hangup = 1   // SIGHUP
    case interrupt = 2   // SIGINT
    case terminate = 15   // SIGTERM

    package var name: String {
        switch self {
        case .hangup: return "SIGHUP"
        case .interrupt: return "SIGINT"
        case .terminate: return "SIGTERM"
        }
    }
}

/// The write end of the signal pipe, for the handler (a C function cannot capture context).
/// Written once, before the handler is installed, and only read afterwards.
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

/// The whole signal handler: one `write`, which is async-signal-safe.
private let forwardSignal: @convention(c) (Int32) -> Void = { signal in
    let saved = errno
    var byte = UInt8(truncatingIfNeeded: signal)
    _ = write(signalPipeWriteEnd, &byte, 1)
    errno = saved
}

/// SIGINT, SIGTERM and SIGHUP through a self-pipe: a real `sigaction` handler writes the signal
/// number to a pipe, and a dedicated thread reads it into `signals`.
///
/// Not ServiceLifecycle's own signal handling: it ignores the signals and watches them through
/// dispatch sources, which lost a SIGTERM now and then on Linux (libdispatch blocks the signal
/// only on its own thread, so an event-loop thread could take it first and drop it as ignored;
/// a daemon that never stopped, seen in SystemdActivationEndToEndTests). A handler runs on
/// whichever thread takes the signal. The service group is therefore configured with no
/// signals of its own, and SignalService turns these into a graceful shutdown or a reload.
package final class SignalPipe: Sendable {
    package let signals: AsyncStream<DaemonSignal>

    private init(signals: AsyncStream<DaemonSignal>) { self.signals = signals }

    /// Installs the handlers. Call before the daemon serves anyone: a signal that arrives
    /// earlier gets the default action (the process ends), one that arrives later is kept
    /// in the pipe until it is read.
    package static func install() throws(SignalSetupError) -> SignalPipe {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw SignalSetupError(errno: errno) }
        // Not inherited by anything the daemon might start.
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        signalPipeWriteEnd = ends[1]
        let readEnd = ends[0]
        let (stream, continuation) = AsyncStream.makeStream(of: DaemonSignal.self)
        // A thread of its own blocks in read(2); the cooperative pool is never held.
        DispatchQueue(label: "a2ald.signals").async {
            var byte: UInt8 = 0
            while true {
                let n = read(readEnd, &byte, 1)
                if n < 0 && errno == EINTR { continue }
                guard n == 1 else { return continuation.finish() }
                if let signal = DaemonSignal(rawValue: Int32(byte)) { continuation.yield(signal) }
            }
        }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = forwardSignal
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        for sig in [SIGINT, SIGTERM, SIGHUP] { _ = sigaction(sig, &action, nil) }
        return SignalPipe(signals: stream)
    }
}

/// The signal pipe could not be created (out of file descriptors, say).
package struct SignalSetupError: Error, CustomStringConvertible {
    package let errno: Int32
    package var description: String { "cannot create the signal pipe: \(String(cString: strerror(errno)))" }
}
