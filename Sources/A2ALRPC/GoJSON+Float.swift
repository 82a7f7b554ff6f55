extension GoJSON {
    /// Go's `floatEncoder` switches from plain to exponent notation outside [1e-6, 1e21).
    static let goPlainFloatLowerBound = 1e-6
    static let goPlainFloatUpperBound = 1e21
    /// `strconv` writes at least two exponent digits; the JSON encoder then trims a leading
    /// zero from negative exponents only ("e-07" → "e-7", but "e+21" stays).
    static let goMinExponentDigits = 2

    /// A finite double as Go's JSON encoder spells it: the shortest round-tripping digits (the
    /// same digits Swift's `description` picks), laid out as `strconv.FormatFloat(f, 'f' or 'e',
    /// -1, 64)`. So 1.0 → "1", 0.25 → "0.25", 1e16 → "10000000000000000", 1e-7 → "1e-7".
    public static func float(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == 0 { return d.sign == .minus ? "-0" : "0" }
        let (digits, point) = shortestDigits(abs(d))
        let sign = d < 0 ? "-" : ""
        let magnitude = abs(d)
        if magnitude < goPlainFloatLowerBound || magnitude >= goPlainFloatUpperBound {
            var text = String(digits[0])
            if digits.count > 1 { text += "." + String(digits.dropFirst()) }
            let exp = point - 1
            var expText = String(abs(exp))
            // Negative exponents end up unpadded (the trim above); positive ones pad to two.
            if exp >= 0 && expText.count < goMinExponentDigits {
                expText = String(repeating: "0", count: goMinExponentDigits - expText.count) + expText
            }
            return sign + text + "e" + (exp < 0 ? "-" : "+") + expText
        }
        if point <= 0 {
            return sign + "0." + String(repeating: "0", count: -point) + String(digits)
        }
        if point >= digits.count {
            return sign + String(digits) + String(repeating: "0", count: point - digits.count)
        }
        return sign + String(digits[..<point]) + "." + String(digits[point...])
    }

    /// Significant decimal digits of a positive finite `d` (no leading or trailing zeros) and the
    /// position of the decimal point relative to the first digit: value = 0.DIGITS × 10^point.
    static func shortestDigits(_ d: Double) -> (digits: [Character], point: Int) {
        let text = d.description  // shortest round-trip form, e.g. "0.25", "1e-07", "1.5e+20"
        let parts = text.split(separator: "e", maxSplits: 1)
        let mantissa = parts.first.map(String.init) ?? text
        let exponent = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        let dot = mantissa.firstIndex(of: ".")
        let intCount = dot.map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count
        var digits = Array(mantissa.filter { $0 != "." })
        var point = intCount + exponent
        while let first = digits.first, first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while let last = digits.last, last == "0" { digits.removeLast() }
        if digits.isEmpty { return (["0"], 1) }
        return (digits, point)
    }
}
