import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGINT and SIGTERM as an async sequence, so a stream can end cleanly (unsubscribe, close)
/// when interrupted, and waiting for a signal can be cancelled like any other task.
enum SignalEvents {
    static func interrupts() -> AsyncStream<Int32> {
        AsyncStream { continuation in
            let queue = DispatchQueue(label: "a2al-cli.signals")
            let sources = [SIGINT, SIGTERM].map { sig -> any DispatchSourceSignal in
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
                source.setEventHandler { continuation.yield(sig) }
                source.resume()
                return source
            }
            let box = SourceBox(sources)
            continuation.onTermination = { _ in box.cancelAll() }
        }
    }

    /// Holds the sources for `onTermination`; cancelled once, on the stream's end.
    private final class SourceBox: @unchecked Sendable {
        private let sources: [any DispatchSourceSignal]
        init(_ sources: [any DispatchSourceSignal]) { self.sources = sources }
        func cancelAll() { for s in sources { s.cancel() } }
    }
}
