import A2ALRPC
import Foundation

extension A2ALClient {
    /// A call with `Encodable` params (encoding to a JSON object) and a `Decodable` result,
    /// for callers who model the methods they use as Swift types:
    ///
    ///     struct Ping: Encodable { let addr: String }
    ///     struct Pong: Decodable { let rtt_ms: Double }
    ///     let pong = try await client.call("node.ping", Ping(addr: "203.0.113.7:4121"), as: Pong.self)
    public func call<Params: Encodable, Result: Decodable>(_ method: String, _ params: Params, as type: Result.Type,
                                                          timeout: Duration? = nil) async throws -> Result {
        let object: JSONObject
        do {
            let data = try JSONEncoder().encode(params)
            guard let o = try JSONParser.parse(Array(data)).objectValue else {
                throw A2ALClientError.invalidArgument("params of \(method) must encode to a JSON object")
            }
            object = o
        } catch let e as A2ALClientError {
            throw e
        } catch {
            throw A2ALClientError.invalidArgument("params of \(method) could not be encoded: \(error)")
        }
        let result = try await call(method, object, timeout: timeout)
        do {
            return try JSONDecoder().decode(Result.self, from: Data(JSONWriter.write(result)))
        } catch {
            throw A2ALClientError.protocolViolation("result of \(method) does not decode as \(Result.self): \(error)")
        }
    }
}
