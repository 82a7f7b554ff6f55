/// One registered method: its name, a one-line summary (listed by `rpc.discover` and the CLI's
/// help) and the handler. Results are always JSON objects (docs/jsonrpc.md, "Framing and
/// protocol").
public struct RPCMethod: Sendable {
    public typealias Handler = @Sendable (RPCCall) async throws -> JSONObject
    /// A handler that never suspends and never blocks (local reads such as `node.info`).
    public typealias ImmediateHandler = @Sendable (RPCCall) throws -> JSONObject

    public let name: String
    public let summary: String
    /// The handler does blocking work (file writes with fsync) before it first suspends. The
    /// session then starts it on the global executor instead of the socket's I/O thread, so
    /// no other client waits on the disk.
    public let blocks: Bool
    public let handler: Handler
    /// Set for a method registered with an `ImmediateHandler`: a session runs it in place, on
    /// the connection's thread, with no task (a task per call was about a quarter of a small
    /// call's cost, docs/benchmarks.md, "JSON-RPC"). `handler` runs the same code.
    public let immediate: ImmediateHandler?

    public init(_ name: String, summary: String, blocks: Bool = false, handler: @escaping Handler) {
        self.name = name
        self.summary = summary
        self.blocks = blocks
        self.handler = handler
        self.immediate = nil
    }

    public init(_ name: String, summary: String, immediate: @escaping ImmediateHandler) {
        self.name = name
        self.summary = summary
        self.blocks = false
        self.handler = { call in try immediate(call) }
        self.immediate = immediate
    }
}

/// What a handler gets: the params and the connection it was called on (subscriptions are
/// scoped to the connection).
public struct RPCCall: Sendable {
    public let method: String
    public let params: RPCParams
    public let connection: RPCConnectionInfo

    public init(method: String, params: RPCParams, connection: RPCConnectionInfo) {
        self.method = method
        self.params = params
        self.connection = connection
    }
}

/// The calling connection: a process-unique id and, on a Unix socket, the peer's credentials.
public struct RPCConnectionInfo: Sendable, Equatable {
    public let id: UInt64
    public let peer: PeerCredentials?

    public init(id: UInt64, peer: PeerCredentials?) {
        self.id = id
        self.peer = peer
    }
}

/// SO_PEERCRED of a Unix-socket client.
public struct PeerCredentials: Sendable, Equatable, CustomStringConvertible {
    public let pid: Int32
    public let uid: UInt32
    public let gid: UInt32

    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }

    public var description: String { "pid=\(pid) uid=\(uid) gid=\(gid)" }
}

/// The method table. Built once at start-up, then read-only (so lookups need no lock).
public struct RPCRouter: Sendable {
    public private(set) var methods: [String: RPCMethod] = [:]
    /// Each method's parameter names in schema order (`RPCRouter+Params.swift`): positional
    /// params map onto them, and a name outside them is refused before the handler runs.
    public internal(set) var paramNames: [String: [String]] = [:]

    public init() {}

    /// Registers a method; registering a name twice is a programming error caught at start-up.
    public mutating func register(_ method: RPCMethod) {
        precondition(methods[method.name] == nil, "method \(method.name) registered twice")
        methods[method.name] = method
    }

    public mutating func register(_ name: String, summary: String, blocks: Bool = false,
                                  _ handler: @escaping RPCMethod.Handler) {
        register(RPCMethod(name, summary: summary, blocks: blocks, handler: handler))
    }

    /// Registers a method whose handler never suspends (see `RPCMethod.immediate`). A name of
    /// its own, so a synchronous trailing closure given to `register` is never taken for one.
    public mutating func registerImmediate(_ name: String, summary: String,
                                           _ handler: @escaping RPCMethod.ImmediateHandler) {
        register(RPCMethod(name, summary: summary, immediate: handler))
    }

    /// Method names in sorted order.
    public var names: [String] { methods.keys.sorted() }
}
