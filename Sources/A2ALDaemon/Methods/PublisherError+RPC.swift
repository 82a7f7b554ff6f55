import A2ALCore
import A2ALRPC

extension PublisherError {
    /// The error a client sees; `what` names the call ("publish.endpoint").
    func rpcError(_ what: String) -> RPCError {
        switch self {
        case .unknownAgent(let agent):
            return .app(.notFound, "\(what): no agent \(agent) is held by this daemon (see agent.list)",
                        ["agent": .string(agent)])
        case .unknownPublication(let id):
            return .app(.notFound, "\(what): no publication \(id) (see publish.list)", ["publication": .string(id)])
        case .invalidPayload(let e):
            return .app(.invalidRecord, "\(what): \(e)", ["reason": .string(e.description)])
        case .recordTooLarge(_, let bytes, let limit):
            return .app(.invalidRecord, "\(what): \(description)",
                        ["reason": .string(description), "bytes": .integer(bytes), "limit": .integer(limit)])
        case .damagedPublication, .signing:
            return .internalError("\(what): \(description)")
        case .node(let e):
            return DHTErrorMapping.rpcError(e, what)
        case .storage(let e):
            return .storageError(e, what)
        }
    }
}

extension RPCError {
    /// A data-directory write that failed, naming the file.
    static func storageError(_ e: DataFileError, _ what: String) -> RPCError {
        .app(.storage, "\(what): cannot write \(e.path): \(e.reason)", ["path": .string(e.path), "reason": .string(e.reason)])
    }
}
