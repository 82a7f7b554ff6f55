import NIOCore

/// How the project's HTTP listeners (debug HTTP, metrics) close a connection after answering.
///
/// Closing with unread request bytes in the kernel buffer makes the kernel send RST, which can
/// destroy the response before the client reads it (an oversize body, a pipelined request after
/// `Connection: close`). So, like Go's `closeWriteAndWait`, send FIN first, discard what still
/// arrives, and close fully when the client does or after `linger`.
public enum HTTPLingeringClose {
    /// Go's `rstAvoidanceDelay`: how long a closing connection drains the client's leftovers.
    public static let linger: TimeAmount = .milliseconds(500)

    public static func close(_ channel: any Channel) {
        channel.close(mode: .output, promise: nil)
        channel.eventLoop.scheduleTask(in: linger) { channel.close(promise: nil) }
    }
}
