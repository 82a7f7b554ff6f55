/// Serialises response objects straight into bytes: the fixed framing is copied from
/// constants and only the id and the result or error are written per reply.
enum RPCReply {
    static func line(id: JSONValue, _ outcome: Result<JSONObject, RPCError>) -> [UInt8] {
        var out = JSONOutput()
        out.append(#"{"jsonrpc":"2.0","id":"#)
        JSONWriter.write(id, to: &out)
        switch outcome {
        case .success(let result):
            out.append(#","result":"#)
            JSONWriter.write(result, to: &out)
        case .failure(let error):
            out.append(#","error":"#)
            JSONWriter.write(error.json, to: &out)
        }
        out.append(Byte.closeBrace)
        return out.finish()
    }

    static func line(id: JSONValue, error: RPCError) -> [UInt8] { line(id: id, .failure(error)) }

    /// A batch reply: the entries' replies as one JSON array.
    static func batch(_ replies: [[UInt8]]) -> [UInt8] {
        var out = JSONOutput(capacity: replies.reduce(2) { $0 + $1.count + 1 })
        out.append(Byte.openBracket)
        var first = true
        for reply in replies {
            if !first { out.append(Byte.comma) }
            first = false
            out.append(reply)
        }
        out.append(Byte.closeBracket)
        return out.finish()
    }
}
