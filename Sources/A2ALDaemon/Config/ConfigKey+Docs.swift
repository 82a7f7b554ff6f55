/// What each setting is for and what it defaults to: the one table `a2ald --help` (and so the
/// man page), `--print-config` and the settings table of docs/systemd.md are made from
/// (ConfigTableTests holds the page to it).
extension ConfigKey {
    /// One line saying what the setting does.
    package var summary: String {
        switch self {
        case .dataDir: return "Data directory (identity, agents, publications, peer cache)."
        case .socket: return "Unix socket path for JSON-RPC."
        case .socketMode: return "Socket permission bits, octal; no effect with socket activation."
        case .socketGroup: return "Group owning the socket (name or gid); no effect with socket activation."
        case .listen: return "UDP listen address host:port of the node."
        case .bootstrap: return "Bootstrap peer host:port; repeat or separate with commas."
        case .passive: return "Passive routing: answer queries but do not refill buckets."
        case .debugHTTP: return "Serve the debug HTTP endpoints on host:port."
        case .metrics: return "Serve Prometheus metrics at http://host:port/metrics; bind 127.0.0.1 (docs/metrics.md)."
        case .maxConnections:
            return "Most JSON-RPC connections at once; lowered with a warning when the open-file limit can not hold it."
        case .maxLineBytes: return "Longest JSON-RPC line in bytes."
        case .maxInFlight: return "Calls in flight per connection (a batch's entries count one each)."
        case .maxOutputBytes: return "Unsent reply bytes per connection before its requests are no longer read."
        case .outputStallTimeoutMs:
            return "Milliseconds a connection may stay past --max-output-bytes before it is closed."
        case .maxStoreKeys: return "Record store key limit."
        case .storeMaxBytes: return "Record bytes the store holds before least-recently-used keys are evicted."
        case .storeMaxBytesPerSource: return "Record bytes one source network (IPv4 /24, IPv6 /64) may hold."
        case .logLevel: return "Log level: " + ConfigRules.logLevels.joined(separator: ", ") + "."
        case .logFormat: return "Log format: text, or json (one object per line, for log collectors)."
        case .peerCacheSize: return "Peers kept in the warm-bootstrap cache."
        }
    }

    /// The built-in value, as `--print-config` shows it; for the paths, where it is chosen.
    package var defaultText: String {
        switch self {
        case .dataDir: return DefaultPaths.rootDataDir + " as root, else $XDG_DATA_HOME/a2al or ~/.local/share/a2al"
        case .socket: return DefaultPaths.rootSocket + " as root, else $XDG_RUNTIME_DIR/a2al.sock or /tmp/a2al-UID/a2al.sock"
        case .listen: return DaemonConfig.defaultListen + " (0.0.0.0:\(DaemonConfig.defaultPort) without IPv6)"
        default:
            let value = DaemonConfig.builtIn.text(of: self)
            return value == DaemonConfig.noneText ? "none" : value
        }
    }

    /// The option's text in `a2ald --help`.
    package var help: String {
        summary.dropLast() + " (default: \(defaultText))" + (ReloadPlan.liveKeys.contains(self) ? "; reloads live." : ".")
    }

    /// The settings table of docs/systemd.md, "Passing settings".
    package static var markdownTable: String {
        var lines = ["| config key | variable | flag | default | what it does |", "|---|---|---|---|---|"]
        for key in allCases {
            let live = ReloadPlan.liveKeys.contains(key) ? " Reloads live." : ""
            lines.append("| `\(key.fileKey)` | `\(key.environmentVariable)` | `\(key.flag)` | \(key.defaultText) | \(key.summary)\(live) |")
        }
        return lines.joined(separator: "\n")
    }
}
