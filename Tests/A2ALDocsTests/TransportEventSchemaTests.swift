import A2ALTestSupport
import A2ALRPC
import A2ALUDP
import Testing
@testable import A2ALDaemon

/// The `transport_state` event as the daemon publishes it validates against its schema.
@Suite struct TransportEventSchemaTests {
    @Test func bothStatesValidate() throws {
        let catalog = try SchemaCatalog.shared()
        let down = UDPTransport.StateChange(state: .rebinding, rebinds: 0, error: "socket reader closed")
        let up = UDPTransport.StateChange(state: .up, rebinds: 1, error: nil)
        for change in [down, up] {
            let payload = TransportEventBridge.payload(change, localAddress: "0.0.0.0:4121")
            #expect(try catalog.eventViolations("transport_state", .object(payload)).isEmpty, "\(payload)")
        }
        #expect(NodeEventBridge.eventNames.contains(TransportEventBridge.eventName))
    }
}
