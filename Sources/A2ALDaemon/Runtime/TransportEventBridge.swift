import A2ALRPC
import A2ALUDP
import Logging

/// Turns the UDP socket's state changes into the `transport_state` event (schema/events/) and a
/// log line: a node whose socket cannot read is deaf, and says so instead of looking healthy
/// (docs/architecture.md, "A2ALUDP"). Runs on whatever thread the transport reports from; it
/// only queues lines.
enum TransportEventBridge {
    static let eventName = "transport_state"

    static func connect(_ transport: UDPTransport, hub: EventHub, logger: Logger) {
        let local = transport.localAddress.description
        transport.onStateChange { change in
            logger.log(level: change.state == .up ? .notice : .error, "udp socket state changed", metadata: [
                "state": "\(change.state.rawValue)", "rebinds": "\(change.rebinds)", "err": "\(change.error ?? "-")",
            ])
            guard hub.hasSubscribers(eventName) else { return }
            hub.publish(eventName, payload(change, localAddress: local))
        }
    }

    /// The event's result (schema/events/transport_state.json).
    static func payload(_ change: UDPTransport.StateChange, localAddress: String) -> JSONObject {
        [
            "state": .string(change.state.rawValue), "local_addr": .string(localAddress),
            "socket_rebinds": .integer(change.rebinds), "error": .optional(change.error),
        ]
    }
}
