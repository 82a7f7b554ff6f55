import NIOCore
import NIOPosix

/// The event loops a listener runs on: the caller's group, or a one-thread group of its own (one
/// socket, one loop) that the listener must shut down when it closes (`owned` is then non-nil).
public struct EventLoopChoice {
    public let loops: any EventLoopGroup
    public let owned: MultiThreadedEventLoopGroup?

    public init(_ group: (any EventLoopGroup)?) {
        if let group {
            loops = group
            owned = nil
        } else {
            let made = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            loops = made
            owned = made
        }
    }
}
