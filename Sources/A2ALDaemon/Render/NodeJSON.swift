import A2ALCore
import A2ALDHT
import A2ALProtocol
import A2ALRPC

/// The "node" shape of docs/jsonrpc.md: `{"node_id": hex32, "address": addr, "addr": "ip:port"|null}`.
///
/// `address` is null only for a contact whose agent address we have not learnt (hearsay known
/// by ID alone); `addr` is null when no usable UDP endpoint is known (none, or port 0).
package enum NodeJSON {
    package static func render(id: NodeID, address: Address?, addr: PeerAddress?) -> JSONObject {
        [
            "node_id": .string(id.description),
            "address": .optional(address?.text),
            "addr": .optional(addr.flatMap(text(of:))),
        ]
    }

    package static func render(_ info: NodeInfo) -> JSONObject {
        render(id: info.nodeID, address: info.address, addr: .udp(info.endpoint))
    }

    package static func render(_ contact: Contact) -> JSONObject {
        render(id: contact.nodeID, address: contact.address, addr: contact.endpoint.map { .udp($0) })
    }

    package static func render(_ infos: [NodeInfo]) -> JSONValue { .array(infos.map { .object(render($0)) }) }

    /// "ip:port" / "[v6]:port" of a UDP endpoint (IPv4-mapped shown as IPv4); nil for port 0,
    /// which the wire uses for "no usable endpoint".
    package static func text(of endpoint: WireEndpoint) -> String? {
        guard endpoint.port != 0 else { return nil }
        return endpoint.normalized.description
    }

    /// The text of any peer address; in-memory names (tests, simulator) are shown as they are.
    package static func text(of addr: PeerAddress) -> String? {
        switch addr {
        case .udp(let e): return text(of: e)
        case .memory(let name): return name
        }
    }
}
