/// The seam between a byte-stream server (the Unix socket listener) and the JSON-RPC layer.
/// The server frames lines and owns the socket; the JSON-RPC session sees whole lines in and
/// writes whole lines out, and never blocks on a slow peer.

/// Outbound side of one connection, implemented by the server.
public protocol LineSink: AnyObject, Sendable {
    /// Queues one serialised JSON value; the sink appends the '\n'. Never blocks; after
    /// `close()` it drops the line silently.
    func send(_ line: [UInt8])
    /// Lines queued on this connection and not yet handed to the kernel. Subscription
    /// delivery reads it to detect a subscriber that does not keep up.
    var backlog: Int { get }
    /// Writes out what is queued, then closes the connection.
    func close()
}

/// Inbound side of one connection, implemented by the JSON-RPC session.
public protocol LineReceiver: AnyObject, Sendable {
    /// One complete line without its '\n' (a trailing '\r' is already removed). Called in
    /// arrival order from one thread at a time.
    func receive(line: [UInt8])
    /// The peer sent more than `limit` bytes without a newline; the session answers -32600
    /// and closes the sink. The server discards the rest of the connection's input.
    func lineTooLong(limit: Int)
    /// The connection is gone (peer closed, error, or server shutdown). Cancels in-flight
    /// calls and ends the connection's subscriptions.
    func connectionClosed()
    /// The peer closed its sending side (half-close) and every line has been delivered. The
    /// receiver closes the sink once what it still owes is written.
    func inputEnded()
    /// The server is stopping: the receiver answers whatever it still owes (the JSON-RPC
    /// session: `unavailable` for every call in flight) and closes the sink. The server
    /// closes the sink after this call anyway, and cuts the connection after its grace period.
    func shutdown()
}

extension LineReceiver {
    /// Receivers with nothing in flight can close at once.
    public func inputEnded() {}
    /// Receivers that owe nothing leave the closing to the server.
    public func shutdown() {}
}
