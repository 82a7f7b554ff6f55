/// Params by name or by position (OpenRPC `paramStructure: "either"`, docs/jsonrpc.md,
/// "Framing and protocol"). The order of a method's parameters is the order of its `params`
/// list in the OpenRPC document, so a client generated from `schema/openrpc.json` can send
/// an array. Unknown names are refused here, before the handler runs, so a typo is reported
/// ahead of the required parameter it was meant to be.
extension RPCRouter {
    /// Takes each method's parameter names from an OpenRPC document (`methods[].params[].name`).
    public mutating func adoptParamOrder(openRPC document: JSONObject) {
        for method in document["methods"]?.arrayValue ?? [] {
            guard let name = method["name"]?.stringValue else { continue }
            paramNames[name] = (method["params"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        }
    }

    /// Declares one method's parameters in positional order (tests, and methods the document lacks).
    public mutating func declareParams(_ names: [String], for method: String) {
        paramNames[method] = names
    }

    /// The closest method names to a mistyped one, best first.
    public func suggestions(for typed: String) -> [String] {
        NameSuggestions.closest(to: typed, among: methods.keys)
    }

    /// The params as a named object. Positions map onto the declared names (a JSON null in a
    /// position means "absent", so later ones can be given without earlier optional ones).
    /// A method with no declared names takes named params only and its handler checks them.
    func namedParams(_ params: RPCRequestParams, for method: String) -> Result<JSONObject, RPCError> {
        let names = paramNames[method]
        switch params {
        case .byName(let object):
            guard let names else { return .success(object) }
            for key in object.keys where !names.contains(key) {
                return .failure(.unknownParam(key, known: names))
            }
            return .success(object)
        case .byPosition(let items):
            guard let names else {
                return .failure(.invalidParams("params", "\(method) takes its parameters by name only; pass an object"))
            }
            guard items.count <= names.count else {
                let list = names.isEmpty ? "" : " (\(names.joined(separator: ", ")))"
                let takes = names.count == 1 ? "1 parameter" : "\(names.count) parameters"
                return .failure(.invalidParams("params", "\(method) takes at most \(takes)\(list), got \(items.count)"))
            }
            var object = JSONObject()
            for (name, value) in zip(names, items) {
                if case .null = value { continue }
                object[name] = value
            }
            return .success(object)
        }
    }
}
