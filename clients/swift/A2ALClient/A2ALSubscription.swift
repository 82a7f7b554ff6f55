/// The events of one subscription, in the order the daemon sent them.
///
/// Iterating ends normally after `cancel()`, and throws when the subscription is ended by the
/// daemon (`.rpc` with kind `slow_subscriber`), by a full client-side buffer
/// (`.eventBufferOverflow`) or by the connection's end. It is meant for one reader.
public struct A2ALSubscription: AsyncSequence, Sendable {
    public typealias Element = A2ALEvent

    /// The subscription id the daemon assigned; events carry it.
    public let id: String
    /// The event name subscribed to.
    public let event: String
    private let stream: AsyncThrowingStream<A2ALEvent, any Error>
    private let client: A2ALClient

    init(id: String, event: String, stream: AsyncThrowingStream<A2ALEvent, any Error>, client: A2ALClient) {
        self.id = id
        self.event = event
        self.stream = stream
        self.client = client
    }

    public func makeAsyncIterator() -> AsyncThrowingStream<A2ALEvent, any Error>.Iterator {
        stream.makeAsyncIterator()
    }

    /// Unsubscribes (one call to the daemon) and ends the sequence; a no-op once it ended.
    public func cancel() async throws {
        try await client.unsubscribe(id)
    }
}
