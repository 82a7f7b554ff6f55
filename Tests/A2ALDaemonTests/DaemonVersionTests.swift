import Testing
@testable import A2ALDaemon

@Suite struct DaemonVersionTests {
    @Test func versionIsSemantic() {
        #expect(DaemonVersion.string.split(separator: ".").count == 3)
    }
}
