/// The checks every layer applies to the typed value of a setting. Each returns why a value
/// is unacceptable (nil when it is fine); the layer turns that into an error naming the file
/// key, variable or flag.
enum ConfigRules {
    static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
    /// sockaddr_un.sun_path holds 108 bytes including the terminating NUL.
    static let maxSocketPathBytes = 107

    static func path(_ value: String) -> String? {
        if value.isEmpty { return "empty path" }
        if value.utf8.contains(0) { return "path contains a NUL byte" }
        return nil
    }

    static func socketPath(_ value: String) -> String? {
        if let problem = path(value) { return problem }
        let length = value.utf8.count
        guard length <= maxSocketPathBytes else {
            return "path is \(length) bytes; Unix socket paths are limited to \(maxSocketPathBytes)"
        }
        return nil
    }

    static func socketMode(_ value: UInt16) -> String? {
        value <= 0o777 ? nil : "mode \(octal(value)) is more than 0777"
    }

    /// A group name or a numeric gid: no spaces, colons or control characters.
    static func group(_ value: String) -> String? {
        if value.isEmpty { return "empty group" }
        if value.contains(where: { $0.isWhitespace || $0 == ":" || $0 == "," || $0.asciiValue.map { $0 < 0x20 } == true }) {
            return "\"\(value)\" is not a group name"
        }
        return nil
    }

    static func listen(_ value: String) -> String? { HostPort.problem(value, allowPortZero: true) }

    static func peer(_ value: String) -> String? { HostPort.problem(value, allowPortZero: false) }

    static func positive(_ value: Int) -> String? { value > 0 ? nil : "must be at least 1" }

    static func logLevel(_ value: String) -> String? { logLevels.contains(value) ? nil : "unknown level" }

    /// "text" for people and the journal, "json" (one object per line) for log collectors.
    static let logFormats = ["text", "json"]

    static func logFormat(_ value: String) -> String? { logFormats.contains(value) ? nil : "unknown format" }

    /// Octal permissions text ("0600", "660", "0o660") → value; nil when not octal or too big.
    static func parseMode(_ text: String) -> UInt16? {
        var digits = Substring(text)
        if digits.hasPrefix("0o") || digits.hasPrefix("0O") { digits = digits.dropFirst(2) }
        guard !digits.isEmpty, digits.count <= 6, digits.allSatisfy({ ("0"..."7").contains($0) }),
              let value = UInt16(digits, radix: 8), value <= 0o777 else { return nil }
        return value
    }

    /// "0600" for 0o600.
    static func octal(_ value: UInt16) -> String {
        let digits = String(value, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
