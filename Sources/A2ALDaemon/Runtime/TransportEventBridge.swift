import A2ALRPC
import A2ALUDP

/// Turns the UDP socket's state changes into the `transport_state` event (schema/events/): a
/// node whose socket cannot read is deaf, and says so instead of looking healthy
/// (docs/architecture.md, "A2ALUDP"); the transport logs the same changes with the daemon's
/// logger. Runs on whatever thread the transport reports from; it only queues lines.
enum TransportEventBridge {
    static let eventName = "transport_state"

    static func connect(_ transport: UDPTransport, hub: EventHub) {
        let local = transport.localAddress.description
        transport.onStateChange { change in
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
