import A2ALThreads
import NIOCore

/// The open connections of a listener (the debug HTTP server, the daemon's Unix socket):
/// bounds how many are served at once and lets `stop()` find them to drain. Once closed it
/// admits nothing, so a connection accepted while the listener is stopping cannot slip past
/// the drain.
public final class ChannelRegistry: Sendable {
    public enum Admission: Equatable, Sendable {
        case admitted
        case full
        case stopping
    }

    private struct State {
        var open: [ObjectIdentifier: any Channel] = [:]
        var closed = false
    }

    private let limit: Int
    private let state = SleepingLock(State())

    public init(limit: Int) { self.limit = limit }

    /// Records `channel` (forgotten when it closes) unless the listener is full or stopping.
    public func admit(_ channel: any Channel) -> Admission {
        let id = ObjectIdentifier(channel)
        let admission = state.withLock { s -> Admission in
            if s.closed { return .stopping }
            guard s.open.count < limit else { return .full }
            s.open[id] = channel
            return .admitted
        }
        if admission == .admitted {
            channel.closeFuture.whenComplete { [weak self] _ in
                _ = self?.state.withLock { $0.open.removeValue(forKey: id) }
            }
        }
        return admission
    }

    /// Stops admitting and returns the connections still open.
    public func closeAll() -> [any Channel] {
        state.withLock { s in
            s.closed = true
            return Array(s.open.values)
        }
    }

    /// Stops admitting, asks every open connection to finish what it is doing
    /// (`ChannelShouldQuiesceEvent`), and closes those still open after `grace`. Returns once all
    /// have closed. The one shutdown of the daemon's listeners (Unix socket, debug HTTP, metrics).
    public func drain(grace: TimeAmount, on loop: any EventLoop) async {
        let open = closeAll()
        for child in open { child.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent()) }
        let deadline = loop.scheduleTask(in: grace) {
            for child in open { child.close(promise: nil) }
        }
        try? await EventLoopFuture.andAllComplete(open.map(\.closeFuture), on: loop).get()
        deadline.cancel()
    }

    /// Connections currently open.
    public var count: Int { state.withLock { $0.open.count } }
}
