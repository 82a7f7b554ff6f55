import A2ALDHT
import A2ALRPC

/// Every method the daemon serves, by area. `subscribe`/`unsubscribe` are added by
/// `RPCService` itself.
enum MethodTable {
    static func build(node: DHTNode, observed: ObservedAddressTracker, status: DaemonStatus,
                      agents: AgentStore, publisher: Publisher, watches: WatchRegistry,
                      mailbox: MailboxLedger) -> RPCRouter {
        var router = RPCRouter()
        router.register("rpc.discover", summary: "The OpenRPC document describing every method and event") { call in
            try call.params.finish()
            return try discoverDocument()
        }
        NodeMethods.register(into: &router, node: node, observed: observed, status: status)
        QueryMethods.register(into: &router, node: node)
        StoreMethods.register(into: &router, node: node)
        AgentMethods.register(into: &router, agents: agents, publisher: publisher, mailbox: mailbox)
        PublishMethods.register(into: &router, node: node, publisher: publisher)
        MailboxMethods.register(into: &router, node: node, agents: agents, ledger: mailbox)
        WatchMethods.register(into: &router, watches: watches, agents: agents)
        // Positional params and early unknown-param errors follow the schema's parameter order.
        if let document = try? discoverDocument() { router.adoptParamOrder(openRPC: document) }
        return router
    }

    /// The embedded OpenRPC document, parsed once.
    static func discoverDocument() throws -> JSONObject {
        switch OpenRPCDocumentCache.parsed {
        case .success(let o): return o
        case .failure(let e): throw RPCError.internalError("embedded OpenRPC document does not parse: \(e)")
        }
    }
}

private enum OpenRPCDocumentCache {
    static let parsed: Result<JSONObject, RPCError> = {
        guard let v = try? JSONParser.parse(OpenRPCDocument.bytes), let o = v.objectValue else {
            return .failure(.internalError("schema/openrpc.json is not a JSON object"))
        }
        return .success(o)
    }()
}
