#if canImport(Glibc)
import Glibc
#endif
import A2ALRPC
import Logging

/// Turns one log event into one line (with its "\n"). Pure apart from the clock, so the
/// formats are unit-tested (docs/systemd.md, "Logs").
enum LogLineFormatter {
    /// syslog(3) priorities as journald reads them from a `<N>` prefix (sd-daemon(3)).
    static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    /// "TIME LEVEL LABEL: MESSAGE k=v ...", or "<N>LEVEL LABEL: MESSAGE k=v ..." for the
    /// journal, which stamps the time itself.
    static func text(level: Logger.Level, label: String, message: String, metadata: Logger.Metadata,
                     time: String, journal: Bool) -> String {
        var line = journal ? "<\(syslogPriority(level))>" : time + " "
        line += "\(level) \(label): \(message)"
        for key in metadata.keys.sorted() {
            if let value = metadata[key] { line += " \(key)=\(value)" }
        }
        return singleLine(line) + "\n"
    }

    /// {"time":...,"level":...,"label":...,"message":...,"metadata":{...}}: one object per line.
    static func json(level: Logger.Level, label: String, message: String, metadata: Logger.Metadata,
                     time: String, journal: Bool) -> String {
        let object: JSONValue = ["time": .string(time), "level": .string(level.rawValue), "label": .string(label),
                                 "message": .string(message), "metadata": json(metadata)]
        return (journal ? "<\(syslogPriority(level))>" : "") + object.compactText + "\n"
    }

    private static func json(_ metadata: Logger.Metadata) -> JSONValue {
        .object(JSONObject(metadata.sorted { $0.key < $1.key }.map { ($0.key, json($0.value)) }))
    }

    private static func json(_ value: Logger.MetadataValue) -> JSONValue {
        switch value {
        case .string(let s): return .string(s)
        case .stringConvertible(let c): return .string(c.description)
        case .dictionary(let d): return json(d)
        case .array(let a): return .array(a.map(json))
        }
    }

    /// A text line must not break in two: a newline in a message would start a new journal
    /// entry at the wrong priority.
    private static func singleLine(_ text: String) -> String {
        text.contains(where: { $0 == "\n" || $0 == "\r" })
            ? String(text.map { $0 == "\n" || $0 == "\r" ? " " : $0 }) : text
    }

    /// UTC, RFC 3339 with milliseconds: "2026-12-04T23:35:01.123Z".
    static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = spec.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let n = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S", &parts)
        let base = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let millis = Int(spec.tv_nsec / 1_000_000)
        return base + "." + (millis < 10 ? "00" : millis < 100 ? "0" : "") + String(millis) + "Z"
    }
}
