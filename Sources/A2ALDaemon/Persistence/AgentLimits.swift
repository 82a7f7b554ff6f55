/// Bounds on the agents the daemon holds, chosen so that what the agent store writes always
/// loads again (docs/security.md, "Local clients"; docs/jsonrpc.md, "agent.*").
///
/// The loader reads at most `JSONDataFile.maxBytes` (16 MiB) per file. A full store of
/// worst-case entries takes `maxAgents × maxEntryBytes` = 8 MiB as `agents.json`, and the
/// journal beside it is compacted long before it holds that much (`AgentStore`), so neither file
/// can outgrow its loader; `AgentLimitsTests` checks the arithmetic against the real encoder.
package enum AgentLimits {
    /// Most agents held at once; `agent.create` and `agent.import` past it fail with
    /// `overloaded` (`data.limit`).
    package static let maxAgents = 4096
    /// Longest label, in UTF-8 bytes (a note for people, not a protocol field).
    package static let maxLabelBytes = 256
    /// Upper bound on one agent's entry, pretty-printed in `agents.json` or as a line of
    /// `agents.journal`: a 42-character address, 64 hex characters of seed, a label whose 256
    /// bytes JSON may escape to 6 each (`\u0001`), a 20-digit time, and the keys around them.
    static let maxEntryBytes = 2048
}
