import A2ALRPC

/// What every loop of one JSON-RPC socket server needs to serve a connection.
struct SocketServerSettings: Sendable {
    /// The socket's path, for error messages.
    let path: String
    let maxLineBytes: Int
    let budget: OutputBudget
    let closeGraceNanoseconds: UInt64
    let overCapacityLine: [UInt8]
    /// Reads per wake-up of one connection, so one busy client cannot starve the others.
    let readsPerWakeup: Int
    /// Accepts per wake-up, so a connection storm cannot starve the loop's connections.
    let acceptsPerWakeup: Int
    /// The time slice each loop thread asks the scheduler for; 0 leaves the kernel's.
    let loopTimeSliceNanoseconds: UInt64
    /// The receiver (the JSON-RPC session) for a new connection.
    let accept: @Sendable (PeerCredentials?, any LineSink) -> any LineReceiver
}
