import A2ALClient

/// a2al-mcp's command line (docs/mcp.md, "Options").
public struct MCPOptions: Sendable, Equatable {
    /// nil: the daemon's default socket, found as a2al-cli finds it (`A2ALSocketPath`).
    public var socketPath: String?
    public var selection: ToolSelection = .curated
    public var help = false
    public var version = false

    public init() {}

    public static let usage = """
        usage: a2al-mcp [--socket PATH] [--all-tools | --tools NAME,NAME...]

        A Model Context Protocol server on stdin/stdout for the a2ald daemon: its methods as
        tools, derived from the daemon's rpc.discover (docs/mcp.md).

          -s, --socket PATH   the daemon's socket (default: $A2AL_SOCKET, else a2ald's default)
          --all-tools         offer every method (never agent.export or other secret-revealing ones)
          --tools LIST        offer only these tools or methods (agent_create or agent.create, comma-separated)
          -h, --help          this text
          --version           the version
        """

    public static func parse<S: Sequence>(_ args: S) throws(MCPUsageError) -> MCPOptions where S.Element == String {
        var out = MCPOptions()
        var words = Array(args)[...]
        var chosen: String?
        func choose(_ option: String, _ selection: ToolSelection) throws(MCPUsageError) {
            if let chosen, chosen != option {
                throw MCPUsageError("\(chosen) and \(option) cannot be combined")
            }
            chosen = option
            out.selection = selection
        }
        while let word = words.popFirst() {
            var name = word
            var inline: String?
            if word.hasPrefix("--"), let eq = word.firstIndex(of: "=") {
                name = String(word[..<eq])
                inline = String(word[word.index(after: eq)...])
            }
            func value() throws(MCPUsageError) -> String {
                if let inline { return inline }
                guard let v = words.popFirst() else { throw MCPUsageError("\(name) needs a value") }
                return v
            }
            switch name {
            case "-s", "--socket":
                let v = try value()
                guard !v.isEmpty else { throw MCPUsageError("--socket needs a path") }
                out.socketPath = v
            case "--all-tools":
                guard inline == nil else { throw MCPUsageError("--all-tools takes no value") }
                try choose("--all-tools", .all)
            case "--tools":
                let list = try value().split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
                guard !list.isEmpty else { throw MCPUsageError("--tools needs at least one tool name") }
                try choose("--tools", .named(list))
            case "-h", "--help":
                out.help = true
            case "--version":
                out.version = true
            default:
                throw MCPUsageError("unknown argument \(word) (see a2al-mcp --help)")
            }
        }
        return out
    }

    /// The socket to use: `--socket`, else the default every client uses.
    public var resolvedSocketPath: String { socketPath ?? A2ALSocketPath.resolveDefault() }
}

/// A command line a2al-mcp cannot run; it exits with status 2.
public struct MCPUsageError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension Substring {
    func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
