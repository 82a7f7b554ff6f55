import A2ALTestSupport
import A2ALRPC
import Logging
import Testing
@testable import A2ALDaemon

/// The methods the daemon actually registers (not the OpenRPC document, which is generated
/// from schema/) must be exactly the methods schema/methods describes.
@Suite(.serialized) struct RegisteredMethodsMatchSchemaTests {
    @Test func everyRegisteredMethodHasASchemaAndEverySchemaAMethod() async throws {
        let dir = try DaemonDirectory()
        var logger = Logger(label: "test")
        logger.logLevel = .error
        var config = DaemonConfig(dataDir: dir.dataDir, socketPath: dir.socketPath)
        config.listen = "127.0.0.1:0"
        config.logLevel = "error"
        let daemon = try await Daemon.start(config: config, logger: logger)
        let registered = Set(daemon.service.methodNames)
        await daemon.shutdown()
        let described = Set(try SchemaCatalog.shared().methods.keys)
        #expect(registered.subtracting(described).isEmpty, "registered without a schema: \(registered.subtracting(described).sorted())")
        #expect(described.subtracting(registered).isEmpty, "schema for no method: \(described.subtracting(registered).sorted())")
        // And the summaries rpc.discover lists come from the same table.
        let discover = try #require(try MethodTable.discoverDocument()["methods"]?.arrayValue)
        #expect(Set(discover.compactMap { $0["name"]?.stringValue }) == registered)
    }

    @Test func everyEventHasASchema() throws {
        let described = Set(try SchemaCatalog.shared().events.keys)
        #expect(described == Set(NodeEventBridge.eventNames))
    }
}
