/// A JSON value from the config file, exactly as written, so that type errors can show it
/// ("got \"lots\"") and integers are told apart from floats and booleans.
indirect enum ConfigFileValue: Decodable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([ConfigFileValue])
    case object([String: ConfigFileValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Order matters: the decoder will not read a number as Bool or `true` as a number,
        // but would read 3 as a Double, so integers are tried before floats.
        if container.decodeNil() {
            self = .null
        } else if let b = try? container.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? container.decode(Int64.self) {
            self = .int(i)
        } else if let d = try? container.decode(Double.self) {
            self = .double(d)
        } else if let s = try? container.decode(String.self) {
            self = .string(s)
        } else if let a = try? container.decode([ConfigFileValue].self) {
            self = .array(a)
        } else {
            self = .object(try container.decode([String: ConfigFileValue].self))
        }
    }

    /// The value as it appears in JSON, for error messages; containers by their kind only.
    var rendering: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return "\(d)"
        case .string(let s): return quoted(s)
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
