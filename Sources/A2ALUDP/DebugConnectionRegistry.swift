import NIOCore
import Synchronization

/// The debug server's open connections: bounds how many are served at once and lets `stop()`
/// find them to drain. Once closed it admits nothing, so a connection accepted while the server
/// is stopping cannot slip past the drain.
final class DebugConnectionRegistry: Sendable {
    private struct State {
        var open: [ObjectIdentifier: any Channel] = [:]
        var closed = false
    }

    private let limit: Int
    private let state = Mutex(State())

    init(limit: Int) { self.limit = limit }

    /// Records `channel` and forgets it when it closes; false when full or stopping.
    func admit(_ channel: any Channel) -> Bool {
        let id = ObjectIdentifier(channel)
        let admitted = state.withLock { s in
            guard !s.closed, s.open.count < limit else { return false }
            s.open[id] = channel
            return true
        }
        if admitted {
            channel.closeFuture.whenComplete { [weak self] _ in
                _ = self?.state.withLock { $0.open.removeValue(forKey: id) }
            }
        }
        return admitted
    }

    /// Stops admitting and returns the connections still open.
    func closeAll() -> [any Channel] {
        state.withLock { s in
            s.closed = true
            return Array(s.open.values)
        }
    }

    /// Connections currently open.
    var count: Int { state.withLock { $0.open.count } }
}
