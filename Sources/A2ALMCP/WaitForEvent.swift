import A2ALClient
import A2ALRPC

/// The `wait_for_event` tool (docs/mcp.md, "wait_for_event"): subscribes to one event kind on a
/// connection of its own, optionally starts a `watch` there too (notes to an agent, records
/// at a key or topic), and returns the first event, or a timed-out answer once `timeout_ms`
/// passes. Closing the connection ends the subscription and the watch (docs/jsonrpc.md,
/// "Subscriptions"), so nothing outlives the call.
public enum WaitForEvent {
    public static let toolName = "wait_for_event"
    /// A bound on the wait, so a call cannot hold the assistant for longer than a few minutes.
    public static let maxTimeoutMs: Int64 = 300_000
    public static let defaultTimeoutMs: Int64 = 30_000

    /// The tool, with the event names and the watch params taken from the document; nil when
    /// the daemon offers no `subscribe` or lists no events.
    static func spec(document: JSONValue, builder: InputSchemaBuilder) throws(CatalogError) -> ToolSpec? {
        let methods = document["methods"]?.arrayValue ?? []
        guard methods.contains(where: { $0["name"]?.stringValue == "subscribe" }),
              let events = document["x-events"]?.arrayValue, !events.isEmpty else { return nil }
        let names = events.compactMap { $0["name"]?.stringValue }
        var properties = JSONObject()
        properties["event"] = .object(JSONObject([
            ("description", "Which event to wait for."), ("type", "string"), ("enum", .strings(names)),
        ]))
        properties["timeout_ms"] = .object(JSONObject([
            ("description", .string("How long to wait, in milliseconds (1 ... \(maxTimeoutMs)); the answer then says timed_out.")),
            ("type", "integer"), ("minimum", 1), ("maximum", .int(maxTimeoutMs)), ("default", .int(defaultTimeoutMs)),
        ]))
        var description = "Wait for the next event of one kind from the a2ald daemon and return it (or timed_out)."
        if let watch = methods.first(where: { $0["name"]?.stringValue == "watch" }) {
            let name = "watch"
            var schema: JSONValue
            if let whole = watch["x-params-schema"], whole.objectValue != nil {
                schema = whole
            } else {
                schema = try InputSchemaBuilder.rebuild(from: watch["params"], method: name)
            }
            if var o = schema.objectValue {
                o["description"] = "Params of a2ald's `watch`, started on the waiting connection after subscribing: mailbox_received needs {\"agent\": ...}, record_pushed a key or topic. Its first poll announces records already there."
                schema = .object(o)
            }
            properties["watch"] = schema
            description += " mailbox_received and record_pushed need `watch` (an agent's mailbox, a key or a topic)."
        }
        description += " Events: " + events.compactMap { e -> String? in
            guard let n = e["name"]?.stringValue else { return nil }
            return "\(n): \(e["description"]?.stringValue ?? "")"
        }.joined(separator: " | ")
        let raw = JSONValue.object(JSONObject([
            ("type", "object"), ("properties", .object(properties)), ("required", ["event"]),
            ("additionalProperties", false),
        ]))
        return ToolSpec(name: toolName, description: description,
                        inputSchema: try builder.standalone(raw, context: toolName), action: .waitForEvent)
    }

    /// The checked arguments of one call.
    struct Arguments {
        var event: String
        var timeoutMs: Int64
        var watch: JSONObject?

        init(_ args: JSONObject) throws(ToolFailure) {
            for (k, _) in args where !["event", "timeout_ms", "watch"].contains(k) {
                throw ToolFailure("\(toolName): unknown argument `\(k)` (event, timeout_ms, watch)")
            }
            guard let e = args["event"] else { throw ToolFailure("\(toolName): `event` is required") }
            guard let event = e.stringValue, !event.isEmpty else {
                throw ToolFailure("\(toolName): `event` must be an event name (a string), not \(e.typeName)")
            }
            self.event = event
            timeoutMs = defaultTimeoutMs
            if let t = args["timeout_ms"] {
                guard let ms = t.intValue, ms >= 1, ms <= maxTimeoutMs else {
                    throw ToolFailure("\(toolName): `timeout_ms` must be an integer from 1 to \(maxTimeoutMs), not \(t.compactText)")
                }
                timeoutMs = ms
            }
            if let w = args["watch"] {
                guard let o = w.objectValue else {
                    throw ToolFailure("\(toolName): `watch` must be an object of watch params, not \(w.typeName)")
                }
                watch = o
            }
        }
    }

    /// Waits as the arguments say, on a new connection to `socketPath`.
    static func run(_ args: JSONObject, socketPath: String) async throws -> JSONValue {
        let a = try Arguments(args)
        let client = try await A2ALClient.connect(to: socketPath)
        do {
            let result = try await wait(a, client: client)
            await client.close()
            return result
        } catch {
            await client.close()
            throw error
        }
    }

    private static func wait(_ a: Arguments, client: A2ALClient) async throws -> JSONValue {
        // Subscribe before watching: the watch's first poll may announce at once.
        let subscription = try await client.subscribe(to: a.event)
        var answer = JSONObject([("event", .string(a.event))])
        if let watch = a.watch {
            answer["watch"] = try await client.call("watch", watch)
        }
        let ms = a.timeoutMs
        let first: A2ALEvent? = try await withThrowingTaskGroup(of: A2ALEvent?.self) { group in
            group.addTask {
                for try await event in subscription { return event }
                throw ToolFailure("\(toolName): the subscription ended before an event arrived")
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(ms))
                return nil
            }
            defer { group.cancelAll() }
            guard let winner = try await group.next() else { return nil }
            return winner
        }
        if let first {
            answer["result"] = first.result
        } else {
            answer["timed_out"] = true
            answer["timeout_ms"] = .int(ms)
        }
        return .object(answer)
    }
}

/// A tool call that could not be carried out, reported as an `isError` result with this
/// message (docs/mcp.md, "Results and errors").
public struct ToolFailure: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
