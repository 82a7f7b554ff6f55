import A2ALSocket
import Logging
import Testing
@testable import A2ALDaemon

/// The connection cap checked against the open-file limit (docs/security.md, "Local clients").
@Suite struct OpenFileBudgetTests {
    @Test func theCapIsKeptWhenTheLimitHoldsIt() {
        #expect(OpenFileBudget.plan(maxConnections: 256, soft: 1024, reserved: 50)
                == OpenFileBudget.Plan(maxConnections: 256, limit: 1024, reserved: 82, socketLoops: 16))
        // 50 reserved, 16 loops × 2 descriptors, 256 connections: exactly 338.
        #expect(OpenFileBudget.plan(maxConnections: 256, soft: 338, reserved: 50).maxConnections == 256)
        #expect(OpenFileBudget.plan(maxConnections: 256, soft: 337, reserved: 50).maxConnections == 255)
    }

    @Test func theCapIsLoweredToWhatTheLimitHolds() {
        // 18 descriptors left: the loops take at most a quarter (2 loops, 4 descriptors).
        let plan = OpenFileBudget.plan(maxConnections: 256, soft: 64, reserved: 46)
        #expect(plan == OpenFileBudget.Plan(maxConnections: 14, limit: 64, reserved: 50, socketLoops: 2))
        #expect(OpenFileBudget.plan(maxConnections: 256, soft: 40, reserved: 46).maxConnections < 1)
    }

    @Test func aTightLimitKeepsOneLoopAndNeverMoreThanAsked() {
        #expect(OpenFileBudget.plan(maxConnections: 4, soft: 52, reserved: 46).socketLoops == 1)
        #expect(OpenFileBudget.plan(maxConnections: 4, soft: 100_000, reserved: 46, socketLoops: 3).socketLoops == 3)
    }

    @Test func thisProcessKeepsItsCapUnderItsOwnLimit() throws {
        // The test runner's limit is far above 4 connections plus the reserve.
        let plan = try OpenFileBudget.apply(maxConnections: 4, debugHTTP: false, logger: Logger(label: "test"))
        #expect(plan.maxConnections == 4)
        #expect(plan.socketLoops == UnixSocketServer.defaultThreads)
        #expect(OpenFileBudget.openDescriptors() > 2)
    }
}
