/// How a daemon method is named as an MCP tool (docs/mcp.md, "Tool names").
///
/// Many MCP clients accept only tool names matching `^[a-zA-Z0-9_-]{1,64}$`, and the daemon's
/// methods are dotted (`agent.create`), so each `.` becomes `_` (`agent_create`). Method names
/// otherwise use only lowercase letters, digits and `_`, so the mapping is one-to-one; a method
/// whose mapped name would still be invalid, or collide with another, is left out rather than
/// exposed under a name some clients reject.
public enum ToolName {
    public static func forMethod(_ method: String) -> String {
        String(method.map { $0 == "." ? "_" : $0 })
    }

    /// True when `name` matches `^[a-zA-Z0-9_-]{1,64}$`.
    public static func isValid(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 64 else { return false }
        return name.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2D
        }
    }
}
