import A2ALRPC

/// The report's values, with ordered object keys so it reads in phase order. Written by
/// A2ALRPC's writer, the daemon's one JSON dialect, without pulling Foundation into the simulator.
indirect enum JSON: Sendable {
    case number(Double)
    case int(Int)
    case string(String)
    case bool(Bool)
    case null
    case object([(String, JSON)])

    static func double(_ x: Double, places: Int = 3) -> JSON {
        guard x.isFinite else { return .null }
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return .number((x * scale).rounded() / scale)
    }

    var text: String { value.compactText }

    private var value: JSONValue {
        switch self {
        // Whole numbers read as integers ("3", not "3.0"), as the report always has.
        case .number(let d) where d == d.rounded() && abs(d) < 1e15: return .int(Int64(d))
        case .number(let d): return .double(d)
        case .int(let i): return .integer(i)
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        case .null: return .null
        case .object(let pairs): return .object(JSONObject(pairs.map { ($0.0, $0.1.value) }))
        }
    }
}
