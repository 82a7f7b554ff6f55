import A2ALRPC

/// The errors a method may answer: those its schema file lists, plus the few any call can get
/// (docs/jsonrpc.md, "Errors"): a request the session rejects before dispatch, a daemon over
/// its bound of calls in flight, and a daemon stopping while the call runs.
extension SchemaCatalog {
    package static let anyCallErrorCodes: Set<Int64> = [-32700, -32600, -32601, -32007, -32010]

    /// (code, kind) pairs `method`'s schema declares.
    package func declaredErrors(_ method: String) throws -> [(code: Int64, kind: String)] {
        guard let errors = try methodSchema(method, "errors").arrayValue else {
            throw TestFileError("\(Self.methodsDir)/\(method).json: \"errors\" is not an array")
        }
        return try errors.map { e in
            guard let code = e["code"]?.intValue, let kind = e["kind"]?.stringValue else {
                throw TestFileError("\(Self.methodsDir)/\(method).json: an error without code and kind")
            }
            return (code, kind)
        }
    }

    /// Why an error reply to `method` breaks its schema, or nil when the schema declares it (an
    /// application error's `data.kind` must be the declared kind too). Methods without a schema
    /// file are the session's business (-32601) and are not checked here.
    package func errorViolation(_ method: String, _ error: JSONValue) -> String? {
        guard methods[method] != nil else { return nil }
        guard let code = error["code"]?.intValue else { return "\(method): error without a code: \(JSONSchemaValidator.show(error))" }
        if Self.anyCallErrorCodes.contains(code) { return nil }
        guard let declared = try? declaredErrors(method) else { return "\(method): unreadable errors list" }
        guard let match = declared.first(where: { $0.code == code }) else {
            return "\(method) answered error \(code), which schema/methods/\(method).json does not declare: \(JSONSchemaValidator.show(error))"
        }
        if (-32099)...(-32000) ~= code, error["data"]?["kind"]?.stringValue != match.kind {
            return "\(method) answered error \(code) without data.kind \"\(match.kind)\": \(JSONSchemaValidator.show(error))"
        }
        return nil
    }
}
