import Dispatch
import Glibc

/// The write end of the signal pipe, for the handler (a C function cannot capture context).
/// Written once, before the handler is installed, and only read afterwards.
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

/// The whole signal handler: one `write`, which is async-signal-safe.
private let forwardSignal: @convention(c) (Int32) -> Void = { signal in
    var byte = UInt8(truncatingIfNeeded: signal)
    _ = write(signalPipeWriteEnd, &byte, 1)
}

/// Waits for SIGINT or SIGTERM through a self-pipe: a real `sigaction` handler writes the signal
/// number to a pipe, and a dedicated thread reads it.
///
/// Ignoring the signals and watching them through dispatch sources, as before, lost a SIGTERM
/// now and then on Linux: libdispatch blocks the signal only on its own thread, so an event-loop
/// thread could take it first and drop it as ignored (a daemon that never stopped, seen in
/// SystemdActivationEndToEndTests). A handler runs whichever thread takes the signal.
final class SignalWaiter: Sendable {
    private let readEnd: Int32

    private init(readEnd: Int32) { self.readEnd = readEnd }

    /// Installs the handlers. Call before the daemon serves anyone: a signal that arrives
    /// earlier gets the default action (the process ends), one that arrives later is kept
    /// in the pipe until `wait` reads it.
    static func install() throws(SignalSetupError) -> SignalWaiter {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw SignalSetupError(errno: errno) }
        // Not inherited by anything the daemon might start.
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        signalPipeWriteEnd = ends[1]
        var action = sigaction()
        action.__sigaction_handler.sa_handler = forwardSignal
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        for sig in [SIGINT, SIGTERM] { _ = sigaction(sig, &action, nil) }
        return SignalWaiter(readEnd: ends[0])
    }

    /// The name of the first termination signal received.
    func wait() async -> String {
        let readEnd = self.readEnd
        return await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            // A thread of its own blocks in read(2); the cooperative pool is never held.
            DispatchQueue(label: "a2ald.signals").async {
                var byte: UInt8 = 0
                while read(readEnd, &byte, 1) < 0 && errno == EINTR {}
                continuation.resume(returning: Int32(byte) == SIGINT ? "SIGINT" : "SIGTERM")
            }
        }
    }
}

/// The signal pipe could not be created (out of file descriptors, say).
struct SignalSetupError: Error, CustomStringConvertible {
    let errno: Int32
    var description: String { "cannot create the signal pipe: \(String(cString: strerror(errno)))" }
}
