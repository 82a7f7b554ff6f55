/// Writes metric families in the Prometheus text exposition format 0.0.4 (docs/metrics.md),
/// for the values read at scrape time. The swift-prometheus registry writes the recorded ones.
struct PrometheusText {
    enum Kind: String {
        case counter, gauge
    }

    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 16 * 1024) { bytes.reserveCapacity(capacity) }

    /// One unlabelled sample.
    mutating func family(_ name: String, _ kind: Kind, help: String, _ value: Double) {
        header(name, kind, help: help)
        sample(name, [], value)
    }

    mutating func family(_ name: String, _ kind: Kind, help: String, _ value: some BinaryInteger) {
        family(name, kind, help: help, Double(value))
    }

    /// One sample per value of the label `label`.
    mutating func family(_ name: String, _ kind: Kind, help: String, label: String, _ samples: [(String, UInt64)]) {
        header(name, kind, help: help)
        for (value, count) in samples { sample(name, [(label, value)], Double(count)) }
    }

    private mutating func header(_ name: String, _ kind: Kind, help: String) {
        append("# HELP \(name) \(Self.escapeHelp(help))\n# TYPE \(name) \(kind.rawValue)\n")
    }

    private mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Double) {
        var line = name
        if !labels.isEmpty {
            line += "{" + labels.map { "\($0.0)=\"\(Self.escapeLabel($0.1))\"" }.joined(separator: ",") + "}"
        }
        line += " " + Self.format(value) + "\n"
        append(line)
    }

    private mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// Whole numbers without a fraction (counters read as integers); others as Swift prints
    /// them, which Prometheus parses (`1.5`, `1e-05`).
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// HELP text escapes backslash and newline; label values also the double quote.
    static func escapeHelp(_ text: String) -> String {
        text.replacingAll("\\", "\\\\").replacingAll("\n", "\\n")
    }

    static func escapeLabel(_ text: String) -> String {
        escapeHelp(text).replacingAll("\"", "\\\"")
    }
}

extension String {
    fileprivate func replacingAll(_ target: Character, _ replacement: String) -> String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
