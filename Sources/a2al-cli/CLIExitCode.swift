import A2ALClient
import A2ALRPC

/// The exit status of `a2al-cli`: one per class of failure, so scripts can branch on what went
/// wrong without parsing messages. docs/cli.md and `--help` list them.
enum CLIExitCode: Int32, CaseIterable {
    case success = 0
    /// The daemon failed internally, or answered something this CLI cannot use.
    case failure = 1
    /// The command line is wrong, or the daemon has no such method.
    case usage = 2
    /// The daemon rejected the input: malformed or invalid params, records or addresses, a
    /// stale record, a conflict.
    case invalidInput = 3
    /// No such record, endpoint, agent or subscription.
    case notFound = 4
    /// A deadline passed: the method's `timeout_ms`, or the CLI's own `--timeout`.
    case timeout = 5
    /// A remote peer failed or did not answer as it should.
    case peerError = 6
    /// The daemon cannot be reached or cannot serve now: no socket, connection lost,
    /// overloaded, shutting down, or its data directory cannot be written.
    case unavailable = 7
    /// A subscription was ended by the daemon (`slow_subscriber`) or overflowed locally.
    case subscriptionEnded = 8

    static func of(_ error: A2ALClientError) -> CLIExitCode {
        switch error {
        case .rpc(let e): return of(e)
        case .connectFailed, .connectionClosed: return .unavailable
        case .timedOut: return .timeout
        case .protocolViolation: return .failure
        case .invalidArgument: return .usage
        case .eventBufferOverflow: return .subscriptionEnded
        }
    }

    static func of(_ error: RPCError) -> CLIExitCode {
        switch error.code {
        case RPCError.methodNotFoundCode: return .usage
        case RPCError.parseErrorCode, RPCError.invalidRequestCode, RPCError.invalidParamsCode: return .invalidInput
        default: break
        }
        switch RPCError.Kind.allCases.first(where: { $0.code == error.code }) {
        case .notFound: return .notFound
        case .timeout: return .timeout
        case .staleRecord, .invalidRecord, .badAddress, .conflict: return .invalidInput
        case .peerError: return .peerError
        case .overloaded, .storage, .unavailable: return .unavailable
        case .slowSubscriber: return .subscriptionEnded
        case nil: return .failure
        }
    }

    /// One line per status for `--help`.
    var helpLine: String {
        let what: String
        switch self {
        case .success: what = "success"
        case .failure: what = "the daemon failed internally or sent something unusable"
        case .usage: what = "bad command line, or no such method"
        case .invalidInput: what = "the daemon rejected the input (-32700, -32600, -32602, invalid_record, bad_address, stale_record, conflict)"
        case .notFound: what = "not_found"
        case .timeout: what = "timeout: timeout_ms or --timeout elapsed"
        case .peerError: what = "peer_error: a remote peer failed"
        case .unavailable: what = "daemon unreachable, connection lost, overloaded, unavailable, storage"
        case .subscriptionEnded: what = "subscription ended by the daemon (slow_subscriber) or local overflow"
        }
        return "  \(rawValue)  \(what)"
    }
}
