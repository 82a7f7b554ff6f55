// Only test builds have swift-testing; a plain `swift build` compiles this target too.
#if canImport(Testing)
import Testing

/// Polls state (never a fixed sleep) until `condition` holds; false when it still does not
/// after `seconds` (for `#expect(try await eventually { ... })`).
package func eventually(seconds: Int = 10, _ condition: () -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
    return condition()
}

/// As `eventually`, but a condition that never holds fails the test and ends it.
package func waitUntil(seconds: Int = 10, _ condition: () -> Bool,
                       sourceLocation: SourceLocation = #_sourceLocation) async throws {
    try #require(try await eventually(seconds: seconds, condition), "condition not met within \(seconds) s",
                 sourceLocation: sourceLocation)
}
#endif
