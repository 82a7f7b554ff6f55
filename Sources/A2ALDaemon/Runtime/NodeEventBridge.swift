import A2ALCore
import A2ALDHT
import A2ALProtocol
import A2ALRPC

/// Turns the node's callbacks into subscription events. Callbacks run on the node's inbound
/// path, so each one does a constant amount of work and returns: `EventHub.publish` only
/// queues lines on sockets and never waits on a client.
enum NodeEventBridge {
    /// Every event a client can subscribe to: the node's own, the socket's
    /// (`TransportEventBridge`), and those of watches (docs/jsonrpc.md, "Watches").
    static let eventNames = ["observed_addr", "public_addr", "peer_health", "record_stored", TransportEventBridge.eventName,
                             NATWatcher.eventName]
        + WatchAnnouncer.eventNames

    /// `pushed` receives the node's verified pushes for watched keys (`WatchRegistry.pushed`),
    /// which turns the new ones into `record_pushed` / `mailbox_received` events.
    /// `classify` receives every valid report too, for the NAT classification (`NATWatcher`);
    /// `recovered` hears of each peer going from bad back to good (`PartitionHealer`).
    static func events(hub: EventHub, observed: ObservedAddressTracker, clock: any NodeClock,
                       classify: @escaping @Sendable (NodeID, WireEndpoint) -> Void = { _, _ in },
                       recovered: @escaping @Sendable () -> Void = {},
                       pushed: @escaping @Sendable (VerifiedRecord, NodeID) -> Void) -> NodeEvents {
        NodeEvents(
            observedAddress: { reporter, wire in
                // The tracker must see every report, subscribed or not: node.info and
                // node.observed_addrs read the consensus it keeps.
                guard let report = observed.report(reporter: reporter, wire: wire, now: clock.unixSeconds()) else { return }
                if hub.hasSubscribers("observed_addr") {
                    hub.publish("observed_addr", [
                        "reporter": .string(reporter.description), "observed": .string(report.observed),
                    ])
                }
                if let change = report.change, hub.hasSubscribers("public_addr") {
                    hub.publish("public_addr", [
                        "old": .optional(change.old), "new": .string(change.new), "agreeing": .integer(change.agreeing),
                    ])
                }
                // After public_addr, so a subscriber sees the address move before the class.
                if let endpoint = WireEndpoint(wire: wire) { classify(reporter, endpoint) }
            },
            peerHealthChanged: { t in
                if t.old == .bad && t.new == .good { recovered() }
                guard hub.hasSubscribers("peer_health") else { return }
                hub.publish("peer_health", [
                    "node_id": .string(t.id.description), "old": .string(healthName(t.old)), "new": .string(healthName(t.new)),
                ])
            },
            recordStored: { record in
                guard hub.hasSubscribers("record_stored") else { return }
                hub.publish("record_stored", [
                    "key": .string(record.key.description), "type": .string(RecordJSON.typeName(record.recType)),
                    "type_code": .integer(record.recType), "publisher": .string(record.address.description),
                    "seq": .decimal(record.seq),
                ])
            },
            recordPushed: pushed)
    }

    static func healthName(_ h: PeerHealth) -> String {
        switch h {
        case .unknown: return "unknown"
        case .good: return "good"
        case .bad: return "bad"
        }
    }
}
