import A2ALRPC
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOPosix

/// An async/await client for `a2ald`'s JSON-RPC 2.0 socket.
///
///     let client = try await A2ALClient.connect()            // the daemon's default socket
///     let info = try await client.call("node.info")
///     let agent = try await client.call("agent.create", ["label": "me"])
///     let sub = try await client.subscribe(to: "record_stored")
///     for try await event in sub { print(event.result) }
///
/// One connection carries any number of concurrent calls (matched to replies by id) and
/// subscriptions. Errors are `A2ALClientError`: `.rpc` holds the daemon's error object
/// unchanged. Every call has a local deadline — `timeout_ms` plus a margin when the params
/// carry one, else `Options.callTimeout` — so a daemon that never answers cannot hang the
/// caller; cancelling the calling task ends the call too.
public final class A2ALClient: Sendable {
    public struct Options: Sendable {
        /// How long connecting may take.
        public var connectTimeout: Duration = .seconds(5)
        /// The deadline of calls whose params have no `timeout_ms`.
        public var callTimeout: Duration = .seconds(30)
        /// Added to a call's `timeout_ms` for its local deadline, so the daemon's own
        /// `timeout` error (which says more) normally wins the race.
        public var timeoutMargin: Duration = .seconds(5)
        /// The longest reply line accepted; a longer one closes the connection.
        public var maxLineBytes = 64 << 20
        /// Events a subscription buffers for a slow reader before it is ended with
        /// `.eventBufferOverflow` (the daemon itself ends subscribers 1024 lines behind).
        public var eventBufferLimit = 4096

        public init() {}
    }

    public let socketPath: String
    public let options: Options
    private let channel: any Channel
    private let core: ClientCore

    private init(socketPath: String, options: Options, channel: any Channel, core: ClientCore) {
        self.socketPath = socketPath
        self.options = options
        self.channel = channel
        self.core = core
    }

    deinit {
        channel.close(promise: nil)
    }

    /// Connects to `socketPath`, or to the daemon's default socket (`A2ALSocketPath`).
    public static func connect(to socketPath: String? = nil, options: Options = Options(),
                               group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> A2ALClient {
        let path = socketPath ?? A2ALSocketPath.resolveDefault()
        let core = ClientCore(eventBufferLimit: options.eventBufferLimit)
        let maxLine = options.maxLineBytes
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(TimeAmount(options.connectTimeout))
                .channelInitializer { ch in
                    ch.eventLoop.makeCompletedFuture {
                        try ch.pipeline.syncOperations.addHandler(ClientChannelHandler(core: core, maxLineBytes: maxLine))
                    }
                }
                .connect(unixDomainSocketPath: path).get()
        } catch {
            throw A2ALClientError.connectFailed(path: path, reason: Self.describeConnectError(error))
        }
        return A2ALClient(socketPath: path, options: options, channel: channel, core: core)
    }

    /// Calls `method` and returns its `result`.
    /// - Parameter timeout: the local deadline; nil derives it from `timeout_ms` (see type docs).
    @discardableResult
    public func call(_ method: String, _ params: JSONObject = JSONObject(), timeout: Duration? = nil) async throws -> JSONValue {
        try await send(method, params.isEmpty ? nil : .object(params), timeout: timeout ?? deadline(for: params), sink: nil)
    }

    /// Calls `method` with params by position, in the order the method lists them in
    /// `schema/openrpc.json` (docs/jsonrpc.md); a `.null` element means "not given".
    /// - Parameter timeout: the local deadline; nil uses `Options.callTimeout`.
    @discardableResult
    public func call(_ method: String, positional params: [JSONValue], timeout: Duration? = nil) async throws -> JSONValue {
        try await send(method, .array(params), timeout: timeout ?? options.callTimeout, sink: nil)
    }

    /// Subscribes this connection to `event` (`peer_health`, `record_stored`, ...). The events
    /// arrive on the returned sequence until `cancel()`, the end of the iterating task, or
    /// the connection's end (which throws).
    public func subscribe(to event: String, timeout: Duration? = nil) async throws -> A2ALSubscription {
        let (stream, continuation) = AsyncThrowingStream<A2ALEvent, any Error>.makeStream(
            bufferingPolicy: .bufferingOldest(options.eventBufferLimit))
        let result = try await send("subscribe", .object(["event": .string(event)]), timeout: timeout ?? options.callTimeout,
                                    sink: ClientCore.EventSink(event: event, continuation: continuation))
        guard let id = result["subscription"]?.stringValue else {
            throw A2ALClientError.protocolViolation("subscribe reply without a subscription id")
        }
        // A reader that stops iterating (its task ends) no longer wants the events; tell the
        // daemon, unless the subscription already ended for another reason. A full local
        // buffer ends it on this side only, so the daemon is told then too.
        continuation.onTermination = { [weak self] termination in
            guard let self else { return }
            var overflowed = false
            if case .finished(let error?) = termination, case .eventBufferOverflow? = error as? A2ALClientError { overflowed = true }
            guard self.core.endSubscription(id) || overflowed else { return }
            Task { try? await self.call("unsubscribe", ["subscription": .string(id)]) }
        }
        return A2ALSubscription(id: id, event: event, stream: stream, client: self)
    }

    /// Ends a subscription: tells the daemon and finishes the event sequence.
    func unsubscribe(_ id: String) async throws {
        guard core.endSubscription(id) else { return }
        try await call("unsubscribe", ["subscription": .string(id)])
    }

    /// The daemon's OpenRPC document (`rpc.discover`).
    public func discover() async throws -> JSONValue {
        try await call("rpc.discover")
    }

    /// Closes the connection; waiting calls fail with `.connectionClosed`, subscriptions end.
    public func close() async {
        core.closeAll(.connectionClosed("closed by the client"))
        try? await channel.close()
    }

    public var isClosed: Bool { core.isClosed }

    // MARK: Sending

    /// `params`: an object or an array, or nil for none.
    private func send(_ method: String, _ params: JSONValue?, timeout deadline: Duration, sink: ClientCore.EventSink?) async throws -> JSONValue {
        let id = core.allocateID()
        var request = JSONObject([("jsonrpc", "2.0"), ("id", .int(id)), ("method", .string(method))])
        if let params { request["params"] = params }
        var line = JSONWriter.write(request)
        line.append(UInt8(ascii: "\n"))
        let core = self.core
        let channel = self.channel
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<JSONValue, any Error>) in
                guard core.register(id: id, method: method, sink: sink, continuation: continuation) else { return }
                let timer = channel.eventLoop.scheduleTask(in: TimeAmount(deadline)) {
                    core.fail(id: id, with: A2ALClientError.timedOut(method: method, after: deadline))
                }
                core.attachTimeout(id: id, timer)
                channel.writeAndFlush(channel.allocator.buffer(bytes: line)).whenFailure { error in
                    core.fail(id: id, with: A2ALClientError.connectionClosed("sending \(method) failed: \(error)"))
                }
            }
        } onCancel: {
            core.fail(id: id, with: CancellationError())
        }
    }

    private func deadline(for params: JSONObject) -> Duration {
        if let ms = params["timeout_ms"]?.intValue, ms > 0 {
            return .milliseconds(ms) + options.timeoutMargin
        }
        return options.callTimeout
    }

    private static func describeConnectError(_ error: any Error) -> String {
        if let io = error as? IOError {
            // The hint says what usually causes each failure, since "connect(...)" alone does not.
            let hint: String
            switch io.errnoCode {
            case ENOENT: hint = " (no socket there: is a2ald running, and is this its --socket?)"
            case ECONNREFUSED: hint = " (nothing listens on it: a2ald stopped without removing it, or is starting)"
            case EACCES, EPERM: hint = " (the socket's mode or group does not admit this user; see docs/systemd.md)"
            default: hint = ""
            }
            return String(cString: strerror(io.errnoCode)) + hint
        }
        if let e = error as? SocketAddressError {
            if case .unixDomainSocketPathTooLong = e { return "the socket path is longer than a Unix socket address allows" }
            return "\(e)"
        }
        if let e = error as? ChannelError, case .connectTimeout(let t) = e { return "no connection within \(t.nanoseconds / 1_000_000) ms" }
        return "\(error)"
    }
}
