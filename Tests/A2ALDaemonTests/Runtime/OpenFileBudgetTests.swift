import Logging
import Testing
@testable import A2ALDaemon

/// The connection cap checked against the open-file limit (docs/security.md, "Local clients").
@Suite struct OpenFileBudgetTests {
    @Test func theCapIsKeptWhenTheLimitHoldsIt() {
        #expect(OpenFileBudget.plan(maxConnections: 256, soft: 1024, reserved: 50).maxConnections == 256)
        #expect(OpenFileBudget.plan(maxConnections: 256, soft: 306, reserved: 50).maxConnections == 256)
    }

    @Test func theCapIsLoweredToWhatTheLimitHolds() {
        let plan = OpenFileBudget.plan(maxConnections: 256, soft: 64, reserved: 46)
        #expect(plan == OpenFileBudget.Plan(maxConnections: 18, limit: 64, reserved: 46))
        #expect(OpenFileBudget.plan(maxConnections: 256, soft: 40, reserved: 46).maxConnections < 1)
    }

    @Test func thisProcessKeepsItsCapUnderItsOwnLimit() throws {
        // The test runner's limit is far above 4 connections plus the reserve.
        #expect(try OpenFileBudget.apply(maxConnections: 4, debugHTTP: false, logger: Logger(label: "test")) == 4)
        #expect(OpenFileBudget.openDescriptors() > 2)
    }
}
