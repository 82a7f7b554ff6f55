import Testing

/// Polls state (never a fixed sleep) until `condition` holds; fails the test and throws when it
/// still does not after `seconds`.
func waitUntil(seconds: Int = 10, _ condition: () -> Bool,
               sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
    try #require(condition(), "condition not met within \(seconds) s", sourceLocation: sourceLocation)
}
