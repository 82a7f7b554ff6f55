/// The cursor of `JSONParser` over one input. Every read checks `i < end` first, so the
/// unchecked buffer subscript never leaves the input.
struct JSONReader {
    let p: UnsafeBufferPointer<UInt8>
    let end: Int
    var i = 0
    private var depth = 0
    /// Whether the last string read had escapes (then its bytes differ from the input's).
    var lastStringEscaped = false

    init(_ buffer: UnsafeBufferPointer<UInt8>) {
        p = buffer
        end = buffer.count
    }

    mutating func document() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        guard i < end else { throw fail("empty input; expected a JSON value") }
        let v = try value()
        skipWhitespace()
        guard i == end else { throw fail("unexpected \(describe(p[i])) after the JSON value") }
        return v
    }

    // MARK: Values

    private mutating func value() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        guard i < end else { throw fail("unexpected end of input; expected a value") }
        switch p[i] {
        case Byte.openBrace: return try object()
        case Byte.openBracket: return try array()
        case Byte.quote:
            i += 1
            return .string(try string())
        case Byte.t: try literal("true"); return .bool(true)
        case Byte.f: try literal("false"); return .bool(false)
        case Byte.n: try literal("null"); return .null
        case Byte.minus, Byte.zero...Byte.nine: return try number()
        default: throw fail("unexpected \(describe(p[i])); expected a value")
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let start = i
        let count = word.utf8CodeUnitCount
        let ok = word.withUTF8Buffer { w -> Bool in
            guard end - start >= count else { return false }
            for k in 0..<count where p[start + k] != w[k] { return false }
            return true
        }
        guard ok else { throw JSONParseError(offset: start, reason: "invalid literal; expected \(word)") }
        i += count
    }

    private mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > JSONParser.maxDepth { throw fail("nesting deeper than \(JSONParser.maxDepth) levels") }
    }

    private mutating func array() throws(JSONParseError) -> JSONValue {
        try enter()
        i += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if i < end && p[i] == Byte.closeBracket {
            i += 1
            depth -= 1
            return .array(items)
        }
        while true {
            items.append(try value())
            skipWhitespace()
            guard i < end else { throw fail("unexpected end of input; expected ',' or ']' in array") }
            let c = p[i]
            i += 1
            if c == Byte.comma {
                try refuseTrailingComma(before: Byte.closeBracket)
                continue
            }
            if c == Byte.closeBracket { break }
            i -= 1
            throw fail("expected ',' or ']' in array")
        }
        depth -= 1
        return .array(items)
    }

    private mutating func object() throws(JSONParseError) -> JSONValue {
        try enter()
        i += 1
        var members: [(key: String, value: JSONValue)] = []
        // Duplicate names are found by comparing a cheap hash of each name first and the
        // bytes only on a match. Small objects (every request) scan the hashes; big ones index
        // them so a line of many members can not make the check quadratic.
        var nameHashes: [UInt64] = []
        var hashIndex: [UInt64: [Int]]?
        skipWhitespace()
        if i < end && p[i] == Byte.closeBrace {
            i += 1
            depth -= 1
            return .object(JSONObject())
        }
        members.reserveCapacity(8)
        nameHashes.reserveCapacity(8)
        while true {
            skipWhitespace()
            guard i < end else { throw fail("unexpected end of input; expected a member name in object") }
            guard p[i] == Byte.quote else { throw fail("expected a string for the member name in object") }
            let keyStart = i
            i += 1
            let key = try string()
            let hash = memberNameHash(key, quotedFrom: keyStart)
            skipWhitespace()
            guard i < end else { throw fail("unexpected end of input; expected ':' in object") }
            guard p[i] == Byte.colon else { throw fail("expected ':' after the member name in object") }
            i += 1
            let v = try value()
            let duplicate: Bool
            if members.count < 32 {
                duplicate = nameHashes.indices.contains { nameHashes[$0] == hash && members[$0].key.utf8.elementsEqual(key.utf8) }
            } else {
                if hashIndex == nil {
                    hashIndex = Dictionary(grouping: nameHashes.indices, by: { nameHashes[$0] })
                }
                duplicate = hashIndex?[hash]?.contains { members[$0].key.utf8.elementsEqual(key.utf8) } == true
                hashIndex?[hash, default: []].append(members.count)
            }
            nameHashes.append(hash)
            if duplicate { throw JSONParseError(offset: keyStart, reason: "duplicate member name \"\(key)\" in object") }
            members.append((key: key, value: v))
            skipWhitespace()
            guard i < end else { throw fail("unexpected end of input; expected ',' or '}' in object") }
            let c = p[i]
            i += 1
            if c == Byte.comma {
                try refuseTrailingComma(before: Byte.closeBrace)
                continue
            }
            if c == Byte.closeBrace { break }
            i -= 1
            throw fail("expected ',' or '}' in object")
        }
        depth -= 1
        return .object(JSONObject(labelled: members))
    }

    /// FNV-1a over the name's UTF-8: enough to rule out almost every pair without comparing
    /// them. A name without escapes is hashed straight from the input bytes.
    private func memberNameHash(_ name: String, quotedFrom quote: Int) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        if !lastStringEscaped {
            for b in UnsafeBufferPointer(rebasing: p[(quote + 1)..<(i - 1)]) { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        } else {
            for b in name.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        }
        return h
    }


    // MARK: Numbers

    private mutating func number() throws(JSONParseError) -> JSONValue {
        let start = i
        let negative = p[i] == Byte.minus
        if negative { i += 1 }
        guard i < end, isDigit(p[i]) else { throw fail("expected a digit after '-'") }
        var magnitude: UInt64 = 0
        var fitsUInt64 = true
        if p[i] == Byte.zero {
            i += 1
            if i < end && isDigit(p[i]) { throw JSONParseError(offset: i - 1, reason: "leading zeros are not allowed in numbers") }
        } else {
            while i < end && isDigit(p[i]) {
                if fitsUInt64 {
                    let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
                    let (s, o2) = m.addingReportingOverflow(UInt64(p[i] - Byte.zero))
                    if o1 || o2 { fitsUInt64 = false } else { magnitude = s }
                }
                i += 1
            }
        }
        var integral = true
        if i < end && p[i] == Byte.dot {
            integral = false
            i += 1
            guard i < end, isDigit(p[i]) else { throw fail("expected a digit after '.' in number") }
            while i < end && isDigit(p[i]) { i += 1 }
        }
        if i < end && (p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E")) {
            integral = false
            i += 1
            if i < end && (p[i] == Byte.plus || p[i] == Byte.minus) { i += 1 }
            guard i < end, isDigit(p[i]) else { throw fail("expected a digit in the exponent of number") }
            while i < end && isDigit(p[i]) { i += 1 }
        }
        if integral && fitsUInt64 {
            if !negative, magnitude <= UInt64(Int64.max) { return .int(Int64(magnitude)) }
            if negative, magnitude <= UInt64(Int64.max) { return .int(-Int64(magnitude)) }
            if negative, magnitude == UInt64(Int64.max) + 1 { return .int(Int64.min) }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: p[start..<i]), as: UTF8.self)
        // The same numbers as ever are refused: those no Double can hold.
        guard let d = Double(text), d.isFinite else {
            throw JSONParseError(offset: start, reason: "number \(text.prefix(40)) is out of range")
        }
        // An integer too big for Int64 keeps its digits: a request id must come back exactly
        // as sent, and a u64 seq must not be rounded (docs/jsonrpc.md).
        return integral ? .bigInt(text) : .double(d)
    }

    // MARK: Helpers

    /// Called just past a ',': names the mistake people make most (a config file edited by
    /// hand) instead of "expected a value", pointing at the comma.
    private mutating func refuseTrailingComma(before close: UInt8) throws(JSONParseError) {
        let comma = i - 1
        skipWhitespace()
        if i < end && p[i] == close { throw JSONParseError(offset: comma, reason: "trailing comma") }
    }

    private mutating func skipWhitespace() {
        while i < end {
            switch p[i] {
            case Byte.space, Byte.tab, Byte.newline, Byte.carriageReturn: i += 1
            default: return
            }
        }
    }

    private func isDigit(_ c: UInt8) -> Bool { c &- Byte.zero < 10 }

    func fail(_ reason: String) -> JSONParseError { JSONParseError(offset: i, reason: reason) }

    func describe(_ c: UInt8) -> String {
        if c >= 0x20 && c < 0x7F { return "character '\(printable(c))'" }
        return "byte 0x\(hexText(UInt16(c), digits: 2))"
    }

    func printable(_ c: UInt8) -> String {
        c >= 0x20 && c < 0x7F ? String(UnicodeScalar(c)) : "0x\(hexText(UInt16(c), digits: 2))"
    }

    func hexText(_ v: UInt16, digits: Int = 4) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }
}
