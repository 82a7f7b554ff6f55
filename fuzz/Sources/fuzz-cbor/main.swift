// Fuzz target: the CBOR reader (CBOR.decode, CBORReader, CBORFields, CBORCursor).
//
// For every input:
// 1. `CBOR.decode` never crashes; `readItemWithRaw` reads the same first item and reports
//    the bytes it occupied, which decode alone to the same item.
// 2. A decoded item's canonical encoding decodes, and re-encodes to the same bytes (a fixed
//    point); when the input already was canonical, it decodes to the same item.
// 3. Tighter limits only ever refuse more: what decodes under them decodes the same under
//    the defaults.
// 4. `readMapValueRanges` gives, for a top-level map, the entries the full decoder reads,
//    each range decoding alone to that entry's value.
// 5. `CBORFields` accessors on any decoded item never crash; `has` agrees with `value`.
// 6. `CBORCursor` never reads out of bounds and agrees with the reader on the scalar it reads.
//
// Items are compared structurally with NaN equal to NaN (the encoder writes every NaN as
// f97e00, so payload bits do not survive a round trip and need not).
import A2ALCore
import FuzzDriver
import FuzzSupport

@_cdecl("fuzz_cbor_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    a2al_fuzz_main(argc, argv)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    checkCBOR(fuzzInput(start, count))
    return 0
}

/// Structural equality with all NaNs equal.
func same(_ a: CBOR, _ b: CBOR) -> Bool {
    switch (a, b) {
    case (.float(let x), .float(let y)): return (x.isNaN && y.isNaN) || x.bitPattern == y.bitPattern
    case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
    case (.map(let x), .map(let y)):
        return x.count == y.count && zip(x, y).allSatisfy { same($0.key, $1.key) && same($0.value, $1.value) }
    case (.tagged(let t, let x), .tagged(let u, let y)): return t == u && same(x, y)
    default: return a == b
    }
}

func decodeResult(_ bytes: [UInt8], limits: CBORLimits = .default) -> Result<CBOR, CBORError> {
    do throws(CBORError) {
        return .success(try CBOR.decode(bytes, limits: limits))
    } catch {
        return .failure(error)
    }
}

let tightLimits = CBORLimits(maxDepth: 4, maxArrayElements: 8, maxMapPairs: 8)

func checkCBOR(_ input: [UInt8]) {
    let decoded = try? decodeResult(input).get()

    // 1. The first item and its raw bytes.
    var reader = CBORReader(bytes: input)
    if let (item, raw) = try? reader.readItemWithRaw() {
        invariant(raw.startIndex == 0 && raw.endIndex == reader.position && reader.position <= input.count,
                  "raw range \(raw.startIndex)..<\(raw.endIndex), position \(reader.position), input \(input.hexText)")
        if let decoded {
            invariant(raw.count == input.count && same(item, decoded), "readItemWithRaw and decode disagree on \(input.hexText)")
        } else {
            invariant(raw.count < input.count, "readItemWithRaw read the whole input that decode refuses: \(input.hexText)")
        }
        let alone = try? decodeResult(Array(raw)).get()
        invariant(alone.map { same($0, item) } ?? false, "the raw bytes of the first item do not decode alone: \(input.hexText)")
    } else {
        invariant(decoded == nil, "decode accepted what readItemWithRaw refuses: \(input.hexText)")
    }

    if let item = decoded {
        // 2. Canonical fixed point.
        let canonical = item.encoded
        guard let back = try? decodeResult(canonical).get() else {
            invariant(false, "canonical encoding \(canonical.hexText) of \(input.hexText) does not decode")
            return
        }
        invariant(back.encoded == canonical, "canonical encoding is not a fixed point: \(input.hexText)")
        if canonical == input {
            invariant(same(back, item), "canonical input decodes differently after re-encoding: \(input.hexText)")
        }

        // 5. Field accessors.
        checkFields(item)
        if case .map(let pairs) = item {
            for p in pairs.prefix(8) { checkFields(p.value) }
        }
    }

    // 3. Tight limits refuse more, never decode differently.
    if case .success(let tight) = decodeResult(input, limits: tightLimits) {
        invariant(decoded.map { same($0, tight) } ?? false, "tight limits accept what the defaults refuse or read differently: \(input.hexText)")
    }

    // 4. Map value ranges.
    var mapReader = CBORReader(bytes: input)
    if let entries = try? mapReader.readMapValueRanges() {
        var values: [CBOR] = []
        for e in entries {
            invariant(e.value.lowerBound >= 0 && e.value.upperBound <= input.count && !e.value.isEmpty,
                      "map value range \(e.value) outside the input: \(input.hexText)")
            guard let v = try? decodeResult(Array(input[e.value])).get() else {
                invariant(false, "map value range \(e.value) does not decode alone: \(input.hexText)")
                return
            }
            values.append(v)
        }
        if mapReader.position == input.count, case .map(let pairs)? = decoded {
            invariant(pairs.count == entries.count
                      && zip(pairs, zip(entries, values)).allSatisfy { same($0.key, $1.0.key) && same($0.value, $1.1) },
                      "readMapValueRanges and decode disagree on \(input.hexText)")
        }
    }

    // 6. Cursor.
    checkCursor(input, decoded)
}

func checkFields(_ item: CBOR) {
    guard let f = try? CBORFields(item, context: "fuzz") else { return }
    for k in -1...17 {
        invariant(f.has(k) == (f.value(k) != nil), "CBORFields.has(\(k)) disagrees with value(\(k))")
        _ = try? f.uint(k)
        _ = try? f.uint(k, max: UInt64(UInt8.max))
        _ = try? f.bool(k)
        _ = try? f.text(k)
        _ = try? f.bytes(k)
        _ = try? f.bytes(k, count: 32)
        _ = try? f.array(k)
        _ = try? f.textArray(k)
        if let nested = try? f.nested(k) {
            _ = try? nested.uint(1)
            _ = try? nested.bytes(2)
        }
    }
    if case .map(let pairs) = CBORFields.untag(item) {
        for p in pairs.prefix(16) { _ = CBORFields.fieldNumber(of: p.key) }
    }
}

func checkCursor(_ input: [UInt8], _ decoded: CBOR?) {
    // Walk heads until one is refused; the position only moves forward and stays in bounds.
    var walk = CBORCursor(input)
    var steps = 0
    while steps <= input.count, let h = walk.head() {
        invariant(walk.position <= input.count, "cursor head() moved past the end")
        if h.major == 2 || h.major == 3, h.argument <= UInt64(input.count - walk.position) {
            walk.position += Int(h.argument)
        }
        steps += 1
    }
    // Every reader from every one of the first positions.
    for start in 0..<min(input.count, 32) {
        var c = CBORCursor(input, position: start)
        _ = c.mapCount(); _ = c.arrayCount(); _ = c.key(1); _ = c.uint(); _ = c.uint(max: 255)
        _ = c.bool(); _ = c.null(); _ = c.byteString(); _ = c.byteString(count: 21); _ = c.text()
        invariant(c.position >= start && c.position <= input.count, "cursor position \(c.position) out of bounds")
    }
    // Agreement with the reader on a whole-input scalar.
    guard let decoded else { return }
    var c = CBORCursor(input)
    switch decoded {
    case .bytes(let b):
        if let r = c.byteString() {
            invariant(c.isAtEnd && Array(input[r]) == b, "cursor byteString disagrees with the reader: \(input.hexText)")
        }
    case .text(let s):
        if let t = c.text() { invariant(c.isAtEnd && t == s, "cursor text disagrees with the reader: \(input.hexText)") }
    case .unsigned(let n):
        if let u = c.uint() { invariant(c.isAtEnd && u == n, "cursor uint disagrees with the reader: \(input.hexText)") }
    case .bool(let b):
        if let v = c.bool() { invariant(c.isAtEnd && v == b, "cursor bool disagrees with the reader: \(input.hexText)") }
    case .null where input == [0xf6]:
        invariant(c.null() && c.isAtEnd, "cursor refuses null")
    default:
        break
    }
}
