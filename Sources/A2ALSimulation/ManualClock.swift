/// A clock that only moves when told to (`advance(by:)`), as tests drive it; Unix time moves
/// with it from `unixEpoch`. The same sleeper queue as the simulator's discrete-event clock,
/// which `DiscreteEventExecutor` moves instead of a test.
public typealias ManualClock = VirtualClock
