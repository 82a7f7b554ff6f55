import A2ALCore
import A2ALDHT
import A2ALProtocol
import A2ALRPC

/// Run-time settings of the node and its network-size estimate.
extension NodeMethods {
    /// Longest verification window `node.network_size` accepts (30 days).
    package static let maxNetworkSizeCutoffS: Int64 = 30 * 86_400

    static func registerSettings(into router: inout RPCRouter, node: DHTNode) {
        router.register("node.network_size", summary: "Estimated network size from the routing table") { call in
            let p = call.params
            let cutoff = try p.optionalInt("cutoff_s", in: 1...maxNetworkSizeCutoffS)
            try p.finish()
            let window = cutoff.map { Duration.seconds($0) } ?? NodeConstants.verifiedFreshWindow
            return networkSize(node: node, window: window)
        }

        router.register("node.set_passive_routing", summary: "Stop (or resume) adding inbound peers to the routing table") { call in
            let p = call.params
            let passive = try p.requiredBool("passive")
            try p.finish()
            node.setPassiveRouting(passive)
            return ["passive": .bool(node.isPassiveRouting)]
        }

        router.register("node.set_max_store_keys", summary: "Change the store's key limit (<= 0 restores the default)") { call in
            let p = call.params
            let max = try p.int("max", in: Int64(Int32.min)...Int64(Int32.max))
            try p.finish()
            node.setMaxStoreKeys(Int(max))
            return ["max_store_keys": .integer(node.maxStoreKeys)]
        }

        router.register("node.set_self_ext_ip", summary: "Tell the node its public IP (null clears it)") { call in
            let p = call.params
            guard p.isPresent("ip") else { throw p.invalid("ip", "required; give an IP address, or null to clear") }
            let text = try p.optionalString("ip")
            try p.finish()
            var ip: IPAddress?
            if let text {
                guard let parsed = IPAddress(text: text) else {
                    throw p.invalid("ip", "\"\(text)\" is not an IPv4 or IPv6 address (no port, no brackets)")
                }
                ip = parsed
            }
            node.setSelfExternalIP(ip)
            return ["ip": .optional(node.selfExternalIP?.description)]
        }

        router.register("node.self_ext_ip", summary: "The public IP the node was told, if any") { call in
            try call.params.finish()
            return ["ip": .optional(node.selfExternalIP?.description)]
        }
    }
}
