import A2ALCore

/// What every fuzz target shares: reading the input, failing loudly, a fixed signing key.

/// The fuzzer's input as an array (libFuzzer may pass a null pointer for an empty input).
public func fuzzInput(_ start: UnsafeRawPointer?, _ count: Int) -> [UInt8] {
    guard let start, count > 0 else { return [] }
    return [UInt8](UnsafeRawBufferPointer(start: start, count: count))
}

/// Stops the process when an invariant fails. libFuzzer reports the trap as a crash and
/// saves the input that caused it.
public func invariant(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                      file: StaticString = #fileID, line: UInt = #line) {
    if !condition() {
        fatalError("fuzz invariant violated: \(message())", file: file, line: line)
    }
}

/// A fixed Ed25519 key for re-signing decoded messages and records, so the paths behind a
/// valid signature are reachable from fuzzed bytes. Deterministic: a crash replays exactly.
public let fuzzKey: Ed25519.KeyPair = {
    do {
        return try Ed25519.KeyPair(seed: [UInt8](repeating: 0x5a, count: Ed25519.seedCount))
    } catch {
        fatalError("cannot derive the fuzz key: \(error)")
    }
}()

/// A second fixed key, the master of delegation proofs the targets build.
public let fuzzMasterKey: Ed25519.KeyPair = {
    do {
        return try Ed25519.KeyPair(seed: [UInt8](repeating: 0xa5, count: Ed25519.seedCount))
    } catch {
        fatalError("cannot derive the fuzz master key: \(error)")
    }
}()

extension Array where Element == UInt8 {
    public var hexText: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(count * 2)
        for b in self {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
