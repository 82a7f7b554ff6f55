import NIOCore
import Synchronization

/// The socket server's live connections: enforces the cap and lets `stop()` find them. Once
/// closed it admits nothing, so a connection accepted while stopping cannot slip past the drain.
final class UnixConnectionRegistry: Sendable {
    enum Admission: Equatable {
        case admitted
        case full
        case stopping
    }

    private struct State {
        var open: [ObjectIdentifier: any Channel] = [:]
        var closed = false
    }

    private let limit: Int
    private let state = Mutex(State())

    init(limit: Int) { self.limit = limit }

    /// Records `channel` (forgotten when it closes) unless the server is full or stopping.
    func admit(_ channel: any Channel) -> Admission {
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
    func closeAll() -> [any Channel] {
        state.withLock { s in
            s.closed = true
            return Array(s.open.values)
        }
    }

    var count: Int { state.withLock { $0.open.count } }
}
