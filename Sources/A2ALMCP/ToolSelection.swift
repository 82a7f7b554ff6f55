/// Which tools a2al-mcp offers (docs/mcp.md, "Tools"): a curated default set, every method
/// (`--all-tools`) or a named list (`--tools a,b,c`). Methods that can reveal secrets, and
/// methods that only make sense on a long-lived connection, are never offered.
public enum ToolSelection: Sendable, Equatable {
    case curated
    case all
    /// Tool names (`agent_create`) or method names (`agent.create`), as given.
    case named([String])

    /// The default set: enough to publish, discover and exchange notes. Methods the running
    /// daemon does not offer (an older daemon without `mailbox.ack`) are skipped.
    public static let curatedMethods = [
        "node.info", "agent.create", "agent.list", "publish.endpoint", "publish.topic",
        "query.resolve", "query.topic", "mailbox.send", "mailbox.read", "mailbox.ack",
    ]

    /// Never offered, whatever the options: `agent.export` returns an agent's private key.
    /// Any other method whose result schema has a secret-looking property is excluded too
    /// (`SecretAudit`), so a new method of that kind cannot slip through.
    public static let secretMethods: Set<String> = ["agent.export"]

    /// Never offered as tools: they act on the connection that calls them (docs/jsonrpc.md,
    /// "Subscriptions" and "Watches"), and each tool call is a request on a shared
    /// connection. `wait_for_event` uses them on a connection of its own.
    public static let connectionMethods: Set<String> = ["subscribe", "unsubscribe", "watch", "unwatch"]
}
