import A2ALTestSupport
import A2ALRPC
import Synchronization
import Testing

/// Calls a live daemon and holds every reply to the contract in schema/: a result must
/// validate against the method's result schema; an error must be one the method's file
/// declares (checked for every reply by `RPCLineClient.call`). Records which methods were exercised, so a test can
/// require that every registered method was.
final class ContractChecker: Sendable {
    let catalog: SchemaCatalog
    private let called = Mutex<Set<String>>([])

    init() throws { catalog = try SchemaCatalog.shared() }

    var calledMethods: Set<String> { called.withLock { $0 } }

    /// A call that must succeed; returns its result after checking it against the schema.
    @discardableResult
    func ok(_ d: DaemonProcess, _ method: String, _ params: JSONObject = [:],
            sourceLocation: SourceLocation = #_sourceLocation) async throws -> JSONValue {
        try checkParams(method, params, sourceLocation)
        let response = try await d.call(method, params, timeout: .seconds(30))
        called.withLock { _ = $0.insert(method) }
        guard let result = response["result"] else {
            Issue.record("\(method) failed: \(JSONWriter.write(response["error"] ?? response).text)", sourceLocation: sourceLocation)
            throw ContractFailure(description: "\(method) failed")
        }
        let violations = try catalog.resultViolations(method, result)
        #expect(violations.isEmpty, "\(method) result breaks its schema: \(violations)", sourceLocation: sourceLocation)
        return result
    }

    /// A call that must fail with `code`; returns the error object after checking that the
    /// method's schema declares the code.
    @discardableResult
    func fails(_ d: DaemonProcess, _ method: String, _ params: JSONObject = [:], code: Int,
               sourceLocation: SourceLocation = #_sourceLocation) async throws -> JSONValue {
        let response = try await d.call(method, params, timeout: .seconds(30))
        called.withLock { _ = $0.insert(method) }
        guard let error = response["error"] else {
            Issue.record("\(method) should fail with \(code), got \(JSONWriter.write(response).text)", sourceLocation: sourceLocation)
            throw ContractFailure(description: "\(method) did not fail")
        }
        // That the schema declares it is checked on every reply (`RPCLineClient.call`).
        #expect(error["code"]?.intValue == Int64(code), "\(method): \(JSONWriter.write(error).text)", sourceLocation: sourceLocation)
        return error
    }

    private func checkParams(_ method: String, _ params: JSONObject, _ location: SourceLocation) throws {
        let violations = try catalog.paramsViolations(method, .object(params))
        #expect(violations.isEmpty, "test sends \(method) params its schema rejects: \(violations)", sourceLocation: location)
    }
}
