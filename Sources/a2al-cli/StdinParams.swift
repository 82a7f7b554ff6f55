import A2ALRPC
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `-` parameter word: a params object on standard input.
enum StdinParams {
    /// More than this is not a params object anyone typed or piped on purpose.
    static let maxBytes = 16 << 20

    static func read() throws(CLIUsageError) -> JSONObject {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { systemRead(0, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CLIUsageError("cannot read params from standard input: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[..<n])
            guard bytes.count <= maxBytes else { throw CLIUsageError("params on standard input exceed \(maxBytes) bytes") }
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw CLIUsageError("params on standard input are not JSON: \(error)")
        }
        guard let object = value.objectValue else {
            throw CLIUsageError("params on standard input must be a JSON object, not \(value.typeName)")
        }
        return object
    }
}
