import A2ALRPC

/// One setting's value as a layer holds it, before it is applied to a `DaemonConfig`.
enum ConfigValue: Equatable, Sendable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case mode(UInt16)
    case strings([String])
    /// Explicitly unset: no socket group, debug HTTP off.
    case off

    /// The word that turns the debug HTTP listener off in the environment and on the command line.
    static let offText = "off"

    /// What is wrong with a value: the expectation it failed, and for a list, which entry.
    struct Problem {
        var expectation: String
        /// More precise than the expectation ("port 70000 is outside 1…65535"), when known.
        var detail: String?
        /// For a list value: the offending entry's index and text.
        var element: (index: Int, text: String)?

        /// "expected X, got Y (detail)", `got` being the offending value as the user wrote it.
        func message(key: ConfigKey, textual: Bool, got: String) -> String {
            let suffix = detail.map { " (\($0))" } ?? ""
            if let element {
                return textual
                    ? "entry \(element.index + 1) \(quoted(element.text)): expected \(expectation)\(suffix)"
                    : "expected \(expectation), got \(quoted(element.text))\(suffix)"
            }
            return "expected \(expectation), got \(got)\(suffix)"
        }
    }

    static let peerExpectation = "host:port with a port from 1 to 65535 (IPv6 in brackets, as in \"[::1]:4121\")"

    /// Why `value` is not acceptable for `key`, or nil.
    static func problem(_ key: ConfigKey, _ value: ConfigValue) -> Problem? {
        let expectation = key.expectation(textual: false)
        func check(_ detail: String?, keepDetail: Bool = true) -> Problem? {
            detail.map { Problem(expectation: expectation, detail: keepDetail ? $0 : nil) }
        }
        switch (key, value) {
        case (.dataDir, .string(let s)): return check(ConfigRules.path(s))
        case (.socket, .string(let s)): return check(ConfigRules.socketPath(s))
        case (.socketMode, .mode(let m)): return check(ConfigRules.socketMode(m), keepDetail: false)
        case (.socketGroup, .string(let s)): return check(ConfigRules.group(s), keepDetail: false)
        case (.socketGroup, .off): return nil
        case (.listen, .string(let s)): return check(ConfigRules.listen(s))
        case (.bootstrap, .strings(let list)):
            for (index, peer) in list.enumerated() {
                if let detail = ConfigRules.peer(peer) {
                    return Problem(expectation: peerExpectation, detail: detail, element: (index, peer))
                }
            }
            return nil
        case (.passive, .bool): return nil
        case (.debugHTTP, .string(let s)):
            return ConfigRules.peer(s).map { Problem(expectation: key.expectation(textual: true), detail: $0) }
        case (.debugHTTP, .off), (.metrics, .off): return nil
        // Port 0 (any free port, logged at start) is allowed: tests run several daemons at once.
        case (.metrics, .string(let s)):
            return ConfigRules.listen(s).map { Problem(expectation: key.expectation(textual: true), detail: $0) }
        case (_, .int(let n)) where key.countField != nil:
            return check(ConfigRules.positive(n), keepDetail: false)
        case (.logLevel, .string(let s)): return check(ConfigRules.logLevel(s), keepDetail: false)
        case (.logFormat, .string(let s)): return check(ConfigRules.logFormat(s), keepDetail: false)
        default:
            return Problem(expectation: expectation)
        }
    }

    /// The value as a person would have typed it on a command line, quoted where text.
    func textRendering() -> String {
        switch self {
        case .string(let s): return quoted(s)
        case .int(let n): return String(n)
        case .bool(let b): return b ? "true" : "false"
        case .mode(let m): return quoted(ConfigRules.octal(m))
        case .strings(let list): return quoted(list.joined(separator: ","))
        case .off: return quoted(Self.offText)
        }
    }
}

/// `text` in double quotes with JSON escapes, so control characters and quotes in a bad value
/// are visible in the message (and a JSON log line stays one line: LogLineFormatter).
func quoted(_ text: String) -> String { JSONValue.string(text).compactText }
